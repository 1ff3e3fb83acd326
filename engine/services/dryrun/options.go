package dryrun

import "go.temporal.io/sdk/client"

// startOptions names the dry run's workflow; the test environment ignores
// task queues and reuse policies.
func startOptions(id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: "hookflow-dryrun"}
}
