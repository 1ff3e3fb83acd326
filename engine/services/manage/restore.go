package manage

import (
	"context"
	"fmt"
)

// RestoreVersion makes version n of a workflow its current definition
// again by saving it as a new version: history is never rewritten, so
// runs pinned to the versions in between keep theirs, and the restore
// itself shows in the version list. Restoring the version that is
// already current adds nothing. An active workflow only takes a version
// that validates today (a credential it names may be gone); an inactive
// one takes any version, as a draft when it is incomplete.
func (s *Service) RestoreVersion(ctx context.Context, id string, n int) (WorkflowView, error) {
	cur, err := s.Store.GetWorkflow(ctx, id)
	if err != nil {
		return WorkflowView{}, err
	}
	v, err := s.Store.GetVersion(ctx, id, n)
	if err != nil {
		return WorkflowView{}, err
	}
	wf, err := s.Update(ctx, id, SaveRequest{Definition: v.Definition, Draft: !cur.Active})
	if err != nil {
		return WorkflowView{}, fmt.Errorf("restoring version %d of workflow %s: %w", n, id, err)
	}
	return wf, nil
}
