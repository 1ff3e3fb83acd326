package interpreter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/engine/definition"
	"github.com/hookflow/hookflow/engine/expression"
	"github.com/hookflow/hookflow/engine/store"
)

// DataRequest is the input of the data activity: a data step with its key
// and value rendered, and its store resolved (a workflow's private store
// is store.PrivateStore of its id).
type DataRequest struct {
	RunID string `json:"run_id"`
	Step  string `json:"step"` // step path; names the recorded result of increment and append
	Op    string `json:"op"`
	Store string `json:"store"`
	Key   string `json:"key"`
	// Value is the value of set, the element of append and the fallback
	// of get; HasValue tells a JSON null apart from no value.
	Value    any           `json:"value,omitempty"`
	HasValue bool          `json:"has_value,omitempty"`
	TTL      time.Duration `json:"ttl,omitempty"`
	By       int64         `json:"by,omitempty"`
	MaxItems int           `json:"max_items,omitempty"`
}

// dataStep reads or writes the data store through the data activity.
type dataStep struct{}

func (dataStep) run(r *runner, ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, string, control, error) {
	out, err := r.doData(ctx, f, s, rec)
	return out, "", ctrlDone, err
}

func (r *runner) doData(ctx workflow.Context, f *frame, s *definition.Step, rec int) (any, error) {
	req := DataRequest{RunID: r.runID, Step: f.prefix + s.ID, Op: s.Op, Store: s.Store,
		TTL: s.TTL.Value(), By: 1, MaxItems: s.MaxItems}
	if req.Store == "" {
		req.Store = store.PrivateStore(r.in.WorkflowID)
	}
	if s.By != nil {
		req.By = *s.By
	}
	var err error
	if req.Key, err = r.renderString(ctx, f, s, s.Key); err != nil {
		return nil, fmt.Errorf("key: %w", err)
	}
	if s.Value != nil {
		if req.Value, err = r.eval(ctx, f, s, opRender, s.Value); err != nil {
			return nil, fmt.Errorf("value: %w", err)
		}
		req.HasValue = true
	}
	in := map[string]any{"op": req.Op, "store": req.Store, "key": req.Key}
	switch req.Op {
	case definition.DataSet, definition.DataAppend, definition.DataGet:
		if req.HasValue {
			in["value"] = req.Value
		}
	case definition.DataIncrement:
		in["by"] = req.By
	}
	r.log.Steps[rec].Input = logValue(in, r.opts.LogValueBytes)
	var out StepOutput
	if err := r.call(ctx, s, ActivityData, req).Get(ctx, &out); err != nil {
		return nil, activityFailure(err)
	}
	r.log.Steps[rec].Attempts = out.Attempt
	return r.numbers(out.Output), nil
}

// Data runs one data step against the store. set and delete are
// idempotent by nature; get only reads. increment and append are not, so
// each commits together with a record of its result, per step of the run
// (dataOnce), and a retried activity returns the recorded result instead
// of adding twice, even after a crash between the write and Temporal
// hearing of it.
func (a *Activities) Data(ctx context.Context, req DataRequest) (_ StepOutput, err error) {
	attempt := int(activity.GetInfo(ctx).Attempt)
	if a.deps.Store == nil {
		return StepOutput{}, a.fail(ctx, connectors.Permanent(errors.New("no data store configured")))
	}
	var value []byte
	if req.HasValue {
		if value, err = json.Marshal(req.Value); err != nil {
			return StepOutput{}, a.fail(ctx, connectors.Permanent(fmt.Errorf("value: cannot be stored as JSON: %w", err)))
		}
		if len(value) > store.MaxKVValueBytes {
			return StepOutput{}, a.fail(ctx, connectors.Permanent(fmt.Errorf(
				"value: is %d bytes of JSON, over the data store's limit of %d (256 KiB)", len(value), store.MaxKVValueBytes)))
		}
	}
	var effect string
	if req.Op == definition.DataIncrement || req.Op == definition.DataAppend {
		// The hookflow run id joins the Temporal one: test environments
		// (dry runs) reuse one Temporal run id for every run.
		effect = effectID(ctx, "", req.RunID+"\x00"+req.Step)
	}
	var res StepOutput
	if effect != "" {
		res, err = a.dataOnce(ctx, req, value, effect, attempt)
	} else {
		var out any
		out, err = a.dataOp(ctx, req, value)
		res = StepOutput{Output: out, Attempt: attempt}
	}
	if err != nil {
		if errors.Is(err, store.ErrInvalidArgument) {
			err = connectors.Permanent(err)
		} else {
			err = connectors.Retryable(err)
		}
		return StepOutput{}, a.fail(ctx, err)
	}
	return res, nil
}

// dataOnce makes an increment or an append at most once per effect: the
// write and the record recalled reads commit together (see
// store.IncrementKVOnce), so a retry after a crash between the two finds
// the record instead of counting again.
func (a *Activities) dataOnce(ctx context.Context, req DataRequest, value []byte, effect string, attempt int) (StepOutput, error) {
	// record turns the store's result into the step's output, keeps it
	// for the return below and encodes it as recalled reads it.
	var out any
	record := func(build func(any) (any, error)) store.EffectRecord {
		return func(result any) ([]byte, error) {
			o, err := build(result)
			if err != nil {
				return nil, err
			}
			out = o
			return json.Marshal(StepOutput{Output: o, Attempt: attempt})
		}
	}
	var prior []byte
	var err error
	switch req.Op {
	case definition.DataIncrement:
		_, prior, err = a.deps.Store.IncrementKVOnce(ctx, effect, record(func(n any) (any, error) {
			return map[string]any{"value": n}, nil
		}), req.Store, req.Key, req.By, req.TTL)
	case definition.DataAppend:
		_, prior, err = a.deps.Store.AppendKVOnce(ctx, effect, record(func(list any) (any, error) {
			return appendOutput(list.([]json.RawMessage))
		}), req.Store, req.Key, value, req.MaxItems, req.TTL)
	default:
		err = fmt.Errorf("op: %q has no once-only form: %w", req.Op, store.ErrInvalidArgument)
	}
	if err != nil {
		return StepOutput{}, err
	}
	if prior != nil {
		var done StepOutput
		if err := json.Unmarshal(prior, &done); err != nil {
			return StepOutput{}, fmt.Errorf("decoding the recorded result of this step: %w", err)
		}
		a.log.Info("step already applied in this run; using its recorded result", "step", req.Step)
		return done, nil
	}
	return StepOutput{Output: out, Attempt: attempt}, nil
}

// appendOutput is an append step's output: the list and its length.
func appendOutput(list []json.RawMessage) (map[string]any, error) {
	raw, err := json.Marshal(list)
	if err != nil {
		return nil, err
	}
	v, err := expression.DecodeJSON(raw)
	if err != nil {
		return nil, err
	}
	return map[string]any{"value": v, "length": len(list)}, nil
}

func (a *Activities) dataOp(ctx context.Context, req DataRequest, value []byte) (any, error) {
	st := a.deps.Store
	switch req.Op {
	case definition.DataGet:
		kv, err := st.GetKV(ctx, req.Store, req.Key)
		if errors.Is(err, store.ErrNotFound) {
			var fallback any
			if req.HasValue {
				fallback = req.Value
			}
			return map[string]any{"found": false, "value": fallback}, nil
		}
		if err != nil {
			return nil, err
		}
		v, err := expression.DecodeJSON(kv.Value)
		if err != nil {
			return nil, fmt.Errorf("decoding the stored value: %w", err)
		}
		return map[string]any{"found": true, "value": v}, nil
	case definition.DataSet:
		if _, err := st.PutKV(ctx, req.Store, req.Key, value, req.TTL); err != nil {
			return nil, err
		}
		return map[string]any{"value": req.Value}, nil
	case definition.DataIncrement:
		n, err := st.IncrementKV(ctx, req.Store, req.Key, req.By, req.TTL)
		if err != nil {
			return nil, err
		}
		return map[string]any{"value": n}, nil
	case definition.DataAppend:
		list, err := st.AppendKV(ctx, req.Store, req.Key, value, req.MaxItems, req.TTL)
		if err != nil {
			return nil, err
		}
		return appendOutput(list)
	case definition.DataDelete:
		found, err := st.DeleteKV(ctx, req.Store, req.Key)
		if err != nil {
			return nil, err
		}
		return map[string]any{"found": found}, nil
	}
	return nil, fmt.Errorf("op: unknown operation %q: %w", req.Op, store.ErrInvalidArgument)
}
