package interpreter

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/definition"
)

// respondStep sets the reply of a synchronous webhook.
type respondStep struct{}

func (respondStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, _ int) (any, string, control, error) {
	out, err := r.doRespond(ctx, f, s)
	return out, "", ctrlDone, err
}

func (r *runner) doRespond(ctx workflow.Context, f *frame, s *definition.Step) (any, error) {
	status := s.Status
	if status == 0 {
		status = 200
	}
	resp := &Response{Status: status, Headers: map[string]string{}}
	for _, k := range sortedKeys(s.Headers) {
		v, err := r.renderString(ctx, f, s, s.Headers[k])
		if err != nil {
			return nil, fmt.Errorf("headers.%s: %w", k, err)
		}
		resp.Headers[k] = v
	}
	if s.Body != nil {
		body, err := r.eval(ctx, f, s, opRender, s.Body)
		if err != nil {
			return nil, fmt.Errorf("body: %w", err)
		}
		if str, ok := body.(string); ok {
			resp.Body = mustJSON(str)
			if _, set := resp.Headers["Content-Type"]; !set {
				resp.Headers["Content-Type"] = "text/plain; charset=utf-8"
			}
		} else {
			resp.Body = mustJSON(body)
		}
	}
	if _, set := resp.Headers["Content-Type"]; !set {
		resp.Headers["Content-Type"] = "application/json"
	}
	if r.response != nil {
		// The caller has had its reply; later respond steps are recorded only.
		return map[string]any{"status": status, "sent": false}, nil
	}
	r.response = resp
	return map[string]any{"status": status, "sent": true}, nil
}
