package config_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/hookflow/hookflow/engine/platform/config"
)

// No Docker engine runs in CI, so this test parses docker-compose.yml with
// the Compose specification's own loader and checks the deployment's shape.

func loadCompose(t *testing.T, env map[string]string) (*types.Project, error) {
	t.Helper()
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(root, "docker-compose.yml")
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading compose file: %v", err)
	}
	return loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  root,
		ConfigFiles: []types.ConfigFile{{Filename: path, Content: content}},
		Environment: env,
	}, func(o *loader.Options) { o.SetProjectName("hookflow", true) })
}

func TestComposeFileServicesAndHealthchecks(t *testing.T) {
	project, err := loadCompose(t, map[string]string{"HOOKFLOW_SECRET_KEY": "dGVzdC1rZXk="})
	if err != nil {
		t.Fatalf("loading docker-compose.yml: %v", err)
	}
	tests := []struct {
		name      string
		service   string
		dependsOn []string
	}{
		{name: "database", service: "postgres"},
		{name: "temporal on postgres", service: "temporal", dependsOn: []string{"postgres"}},
		{name: "temporal ui", service: "temporal-ui", dependsOn: []string{"temporal"}},
		{name: "hookflow api server", service: "hookflow-server", dependsOn: []string{"postgres", "temporal"}},
		{name: "hookflow worker", service: "hookflow-worker", dependsOn: []string{"postgres", "temporal"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc, ok := project.Services[tc.service]
			if !ok {
				t.Fatalf("service %q missing; have %v", tc.service, project.ServiceNames())
			}
			hc := svc.HealthCheck
			if hc == nil || hc.Disable || len(hc.Test) < 2 || hc.Test[0] == "NONE" {
				t.Fatalf("service %q has no usable healthcheck: %+v", tc.service, hc)
			}
			for _, dep := range tc.dependsOn {
				d, ok := svc.DependsOn[dep]
				if !ok {
					t.Errorf("service %q does not depend on %q", tc.service, dep)
					continue
				}
				if d.Condition != types.ServiceConditionHealthy {
					t.Errorf("service %q waits for %q with condition %q, want %q", tc.service, dep, d.Condition, types.ServiceConditionHealthy)
				}
			}
		})
	}

	// Every dependency anywhere waits for health, not just for start.
	for name, svc := range project.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition != types.ServiceConditionHealthy {
				t.Errorf("%s → %s: condition %q, want service_healthy", name, dep, d.Condition)
			}
		}
	}

	if db := project.Services["temporal"].Environment["DB"]; db == nil || !strings.HasPrefix(*db, "postgres") {
		t.Errorf("temporal DB = %v, want a postgres driver", db)
	}

	known := map[string]bool{}
	for _, s := range config.Settings() {
		known[s.Env] = true
	}
	for _, name := range []string{"hookflow-server", "hookflow-worker"} {
		svc := project.Services[name]
		role := strings.TrimPrefix(name, "hookflow-")
		if !slices.Equal([]string(svc.Command), []string{role}) {
			t.Errorf("%s command = %v, want [%s]", name, svc.Command, role)
		}
		if svc.Build == nil {
			t.Errorf("%s is not built from the Dockerfile", name)
		}
		for key, val := range svc.Environment {
			if strings.HasPrefix(key, "HOOKFLOW_") && !known[key] {
				t.Errorf("%s sets %s, which is not a hookflow setting", name, key)
			}
			if key == "HOOKFLOW_DATABASE_URL" && (val == nil || !strings.HasPrefix(*val, "postgres://")) {
				t.Errorf("%s database URL is not PostgreSQL: %v", name, val)
			}
		}
		if svc.Environment["HOOKFLOW_TEMPORAL_ADDRESS"] == nil || *svc.Environment["HOOKFLOW_TEMPORAL_ADDRESS"] != "temporal:7233" {
			t.Errorf("%s does not point at the temporal service", name)
		}
	}
}

func TestComposeFileRequiresSecretKey(t *testing.T) {
	_, err := loadCompose(t, map[string]string{})
	if err == nil || !strings.Contains(err.Error(), "HOOKFLOW_SECRET_KEY") {
		t.Fatalf("loading without HOOKFLOW_SECRET_KEY: err = %v, want an error naming it", err)
	}
}
