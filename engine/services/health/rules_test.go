package health_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/hookflow/hookflow/engine/services/health"
	"github.com/hookflow/hookflow/engine/services/manage"
	"github.com/hookflow/hookflow/engine/store"
	"github.com/hookflow/hookflow/engine/store/storetest"
)

// TestRuleValidation pins the message of every field a rule can get
// wrong: each names the field and says what to write instead.
func TestRuleValidation(t *testing.T) {
	st := storetest.SQLite(t).Store
	f := newFixture(t, st)
	ctx := context.Background()
	ep, err := st.CreateEndpoint(ctx, store.NewEndpoint{WorkflowID: f.orders.ID})
	if err != nil {
		t.Fatal(err)
	}
	rules := &health.Rules{Store: st}
	valid := func() health.RuleInput {
		return health.RuleInput{Kind: ptr(store.AlertEndpointRejections), Target: ptr(ep.ID), Threshold: ptr(5),
			Window: ptr("10m"), Workflow: ptr("Alert Slack")}
	}
	for _, tc := range []struct {
		name   string
		mutate func(*health.RuleInput)
		want   []string // "path: message" fragments
	}{
		{"empty body", func(in *health.RuleInput) { *in = health.RuleInput{} },
			[]string{"kind: is required", "threshold: is required", "window: is required", "workflow: is required", "target: is required"}},
		{"unknown kind", func(in *health.RuleInput) { in.Kind = ptr("cpu") },
			[]string{`kind: "cpu" is not a rule kind; use one of endpoint_rejections, workflow_failures, destination_dead_letters`}},
		{"zero threshold", func(in *health.RuleInput) { in.Threshold = ptr(0) },
			[]string{"threshold: must be a count from 1 to 1000000 (got 0)"}},
		{"window not a duration", func(in *health.RuleInput) { in.Window = ptr("ten minutes") },
			[]string{`window: "ten minutes" is not a duration; write it like 30s, 10m or 1h`}},
		{"window too short", func(in *health.RuleInput) { in.Window = ptr("5s") },
			[]string{"window: 5s is out of range; use 1m to 168h"}},
		{"cooldown too long", func(in *health.RuleInput) { in.Cooldown = ptr("9000h") },
			[]string{"cooldown: 9000h is out of range; use 1s to 168h"}},
		{"alert workflow missing", func(in *health.RuleInput) { in.Workflow = ptr("Pager") },
			[]string{`workflow: no workflow has the id or name "Pager"; create the alert workflow first`}},
		{"endpoint missing", func(in *health.RuleInput) { in.Target = ptr("ep_nope") },
			[]string{`target: no endpoint has the id "ep_nope"`}},
		{"workflow target missing", func(in *health.RuleInput) {
			in.Kind, in.Target = ptr(store.AlertWorkflowFailures), ptr("wf_nope")
		}, []string{`target: no workflow has the id or name "wf_nope"`}},
		{"host with a path", func(in *health.RuleInput) {
			in.Kind, in.Target = ptr(store.AlertDestinationDeadLetters), ptr("hooks.example.com/x")
		}, []string{`target: "hooks.example.com/x" is not a host`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := valid()
			tc.mutate(&in)
			_, err := rules.Create(ctx, in)
			var ve *manage.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("Create = %v, want a validation error", err)
			}
			if ve.Title != "the alert rule is invalid" || len(ve.Errors) != len(tc.want) {
				t.Fatalf("got %v, want %d problems", err, len(tc.want))
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}

	r, err := rules.Create(ctx, valid())
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "endpoint rejections of "+ep.ID+": 5 in 10m" || !r.Enabled || r.WorkflowID != f.alertWF.ID {
		t.Fatalf("created %+v", r)
	}
	// A patch changes only what it names, and is validated the same way.
	r, err = rules.Update(ctx, r.ID, health.RuleInput{Threshold: ptr(7), Enabled: ptr(false), Cooldown: ptr("30m")})
	if err != nil || r.Threshold != 7 || r.Enabled || r.Cooldown != "30m" || r.Window != "10m" || r.Target != ep.ID {
		t.Fatalf("Update = %+v, %v", r, err)
	}
	// Changing the kind re-checks the target against it.
	if _, err := rules.Update(ctx, r.ID, health.RuleInput{Kind: ptr(store.AlertWorkflowFailures)}); err == nil ||
		!strings.Contains(err.Error(), "target: no workflow has the id or name") {
		t.Fatalf("kind change kept an endpoint target: %v", err)
	}
	if _, err := rules.Update(ctx, "alr_nope", health.RuleInput{}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Update(unknown) = %v", err)
	}
}
