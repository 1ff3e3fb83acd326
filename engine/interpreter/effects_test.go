package interpreter

import (
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"sync/atomic"
	"testing"

	"go.temporal.io/sdk/testsuite"
)

// TestRepeatedCallUsesRecordedResult runs the same call of the same step
// twice in one Temporal run, as a worker does when it dies after the call
// but before Temporal recorded its result, and checks the provider was
// reached once and both executions returned the same output; another
// step, or a read-only http method, is called again.
func TestRepeatedCallUsesRecordedResult(t *testing.T) {
	fx := newFixture(t)
	var posts, gets atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var n int64
		if r.Method == http.MethodGet {
			n = gets.Add(1)
		} else {
			n = posts.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"n":` + strconv.FormatInt(n, 10) + `}`))
	}))
	defer srv.Close()
	deps := fx.deps()
	deps.HTTP = fx.registry.GuardedClient() // the fixture allows 127.0.0.1
	acts := NewActivities(deps)

	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestActivityEnvironment()
	RegisterActivities(env, acts)

	tests := []struct {
		name      string
		activity  string
		req       any
		calls     func() int
		wantCalls int
	}{
		{name: "action, first call", activity: ActivityAction, wantCalls: 1, calls: func() int { return fx.provider.count("echo") },
			req: ActionRequest{RunID: "r1", Step: "a", Connector: "test", Action: "echo", Credential: "test-cred", Input: map[string]any{"value": 1}}},
		{name: "action, same step again", activity: ActivityAction, wantCalls: 1, calls: func() int { return fx.provider.count("echo") },
			req: ActionRequest{RunID: "r1", Step: "a", Connector: "test", Action: "echo", Credential: "test-cred", Input: map[string]any{"value": 1}}},
		{name: "action, another step", activity: ActivityAction, wantCalls: 2, calls: func() int { return fx.provider.count("echo") },
			req: ActionRequest{RunID: "r1", Step: "b", Connector: "test", Action: "echo", Credential: "test-cred", Input: map[string]any{"value": 1}}},
		{name: "POST, first call", activity: ActivityHTTP, wantCalls: 1, calls: func() int { return int(posts.Load()) },
			req: HTTPRequest{RunID: "r1", Step: "p", Method: "POST", URL: srv.URL}},
		{name: "POST, same step again", activity: ActivityHTTP, wantCalls: 1, calls: func() int { return int(posts.Load()) },
			req: HTTPRequest{RunID: "r1", Step: "p", Method: "POST", URL: srv.URL}},
		{name: "GET is read-only and called again", activity: ActivityHTTP, wantCalls: 2, calls: func() int { return int(gets.Load()) },
			req: HTTPRequest{RunID: "r1", Step: "g", Method: "GET", URL: srv.URL}},
	}
	// The GET row expects its second call; make its first one.
	if _, err := env.ExecuteActivity(ActivityHTTP, HTTPRequest{RunID: "r1", Step: "g", Method: "GET", URL: srv.URL}); err != nil {
		t.Fatal(err)
	}
	outputs := map[string]any{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			val, err := env.ExecuteActivity(tc.activity, tc.req)
			if err != nil {
				t.Fatal(err)
			}
			var out StepOutput
			if err := val.Get(&out); err != nil {
				t.Fatal(err)
			}
			if got := tc.calls(); got != tc.wantCalls {
				t.Errorf("provider reached %d times, want %d", got, tc.wantCalls)
			}
			var step string
			switch r := tc.req.(type) {
			case ActionRequest:
				step = r.Step
			case HTTPRequest:
				step = r.Step
			}
			if prev, ok := outputs[step]; ok && tc.wantCalls == 1 && !reflect.DeepEqual(prev, out.Output) {
				t.Errorf("repeat returned %v, first call returned %v", out.Output, prev)
			}
			outputs[step] = out.Output
		})
	}
}
