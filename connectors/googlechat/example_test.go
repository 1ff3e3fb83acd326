package googlechat_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/googlechat"
)

// ExampleNew registers the Google Chat connector and checks an input the
// way the engine does before a step runs.
func ExampleNew() {
	reg := connectors.NewRegistry()
	if err := reg.Register(googlechat.New()); err != nil {
		fmt.Println(err)
		return
	}
	a, _ := reg.Action("googlechat", "post_message")
	_, err := connectors.ValidateInput(a.Input, connectors.Values{"text": "hi", "thread_option": "sometimes"})
	fmt.Println(err)
	// Output:
	// input.thread_option: must be one of new_thread_if_missing, only_existing_thread
}
