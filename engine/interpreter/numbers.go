package interpreter

import (
	"bytes"
	"encoding/json"

	"go.temporal.io/sdk/workflow"

	"github.com/hookflow/hookflow/engine/expression"
)

// Exact numbers (interpreter version 8). encoding/json, and so the
// Temporal SDK's data converter, decodes every JSON number into a float64:
// a 64-bit id above 2^53 loses digits, and string(trigger.id) printed
// Shopify's order id 5733011112023 as "5.733011112023e+12". From version
// 8 integers are ints everywhere a run reads them: the event body, step
// outputs, and the values the Resolve activity evaluates over (see
// expression.DecodeJSON). The activity results below decode with
// UseNumber, and workflow code turns those json.Numbers into the number
// model of the run's version (runner.numbers), so a run recorded before
// version 8 replays with the float64s it ran with.

// versionExactNumbers is the first version with exact integers.
const versionExactNumbers workflow.Version = 8

// versionStrictPaths is the first version in which a template's bare path
// that is missing from the data fails the step instead of rendering as ""
// (expression.Scope.WithStrictPaths).
const versionStrictPaths workflow.Version = 8

// numbers converts the json.Numbers of an activity result into the run's
// number model.
func (r *runner) numbers(v any) any {
	if r.version >= versionExactNumbers {
		return expression.ExactNumbers(v)
	}
	return expression.FloatNumbers(v)
}

// decode decodes JSON that workflow code reads (a child run's output, a
// received event) into the run's number model; invalid JSON gives nil,
// as the callers always treated it.
func (r *runner) decode(raw []byte) any {
	var v any
	if decodeUseNumber(raw, &v) != nil {
		return nil
	}
	return r.numbers(v)
}

// decodeUseNumber decodes raw into dst leaving numbers in interface
// values as json.Number.
func decodeUseNumber(raw []byte, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return dec.Decode(dst)
}

// UnmarshalJSON keeps the output's numbers as json.Number for
// runner.numbers.
func (o *StepOutput) UnmarshalJSON(raw []byte) error {
	type plain StepOutput
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	*o = StepOutput(p)
	return nil
}

// UnmarshalJSON keeps the output's numbers as json.Number for
// runner.numbers.
func (o *DeliverResult) UnmarshalJSON(raw []byte) error {
	type plain DeliverResult
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	*o = DeliverResult(p)
	return nil
}

// UnmarshalJSON keeps the value's numbers as json.Number for
// runner.numbers.
func (o *ResolveResult) UnmarshalJSON(raw []byte) error {
	type plain ResolveResult
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	*o = ResolveResult(p)
	return nil
}

// UnmarshalJSON decodes the request in the number model its run asked
// for (Exact).
func (q *ResolveRequest) UnmarshalJSON(raw []byte) error {
	type plain ResolveRequest
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	conv := expression.FloatNumbers
	if p.Exact {
		conv = expression.ExactNumbers
	}
	p.Source = conv(p.Source)
	for k, v := range p.Data {
		p.Data[k] = conv(v)
	}
	*q = ResolveRequest(p)
	return nil
}

// UnmarshalJSON gives the action exact integers (connectors normalise
// every numeric kind, see connectors.ValidateInput), so an id keeps its
// digits up to the provider's API.
func (q *ActionRequest) UnmarshalJSON(raw []byte) error {
	type plain ActionRequest
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	for k, v := range p.Input {
		p.Input[k] = expression.ExactNumbers(v)
	}
	*q = ActionRequest(p)
	return nil
}

// UnmarshalJSON gives the http step's body exact integers.
func (q *HTTPRequest) UnmarshalJSON(raw []byte) error {
	type plain HTTPRequest
	var p plain
	if err := decodeUseNumber(raw, &p); err != nil {
		return err
	}
	p.Body = expression.ExactNumbers(p.Body)
	*q = HTTPRequest(p)
	return nil
}
