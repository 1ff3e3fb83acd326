package messenger_test

import (
	"fmt"

	"github.com/hookflow/hookflow/connectors"
	"github.com/hookflow/hookflow/connectors/messenger"
)

// ExampleExtract splits a Page notification into the events a workflow
// starts from.
func ExampleExtract() {
	body := `{"object":"page","entry":[{"id":"104522372345678","time":1,"messaging":[` +
		`{"sender":{"id":"678"},"recipient":{"id":"104522372345678"},"timestamp":1764522251876,"message":{"mid":"m_1","text":"hi"}}]}]}`
	events, err := messenger.Extract(&connectors.Request{Body: []byte(body)}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range events {
		fmt.Println(e.ID, e.Type)
	}
	// Output:
	// m_1 message
}
