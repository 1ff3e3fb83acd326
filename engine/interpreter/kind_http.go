package interpreter

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// httpStep calls a URL through the http activity.
type httpStep struct{}

func (httpStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	out, err := r.doHTTP(ctx, f, s, rec)
	return out, "", ctrlDone, err
}

func (r *runner) doHTTP(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, error) {
	req := HTTPRequest{RunID: r.runID, Step: f.prefix + s.ID, Method: s.Method, Credential: s.Credential}
	var err error
	if req.URL, err = r.renderString(ctx, f, s, s.URL); err != nil {
		return nil, fmt.Errorf("url: %w", err)
	}
	render := func(name string, m map[string]string) (map[string]string, error) {
		out := make(map[string]string, len(m))
		for _, k := range sortedKeys(m) {
			v, err := r.renderString(ctx, f, s, m[k])
			if err != nil {
				return nil, fmt.Errorf("%s.%s: %w", name, k, err)
			}
			out[k] = v
		}
		return out, nil
	}
	if req.Headers, err = render("headers", s.Headers); err != nil {
		return nil, err
	}
	if req.Query, err = render("query", s.Query); err != nil {
		return nil, err
	}
	if s.Body != nil {
		if req.Body, err = r.eval(ctx, f, s, opRender, s.Body); err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
	}
	r.log.Steps[rec].Input = logValue(map[string]any{"method": req.Method, "url": req.URL, "headers": req.Headers,
		"query": req.Query, "body": req.Body}, r.opts.LogValueBytes)
	var out StepOutput
	if err := r.call(ctx, s, ActivityHTTP, req).Get(ctx, &out); err != nil {
		return nil, activityFailure(err)
	}
	r.log.Steps[rec].Attempts = out.Attempt
	return r.numbers(out.Output), nil
}
