package salesforce

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"strings"

	"github.com/hookflow/hookflow/connectors"
)

// The namespaces of an Outbound Message.
const (
	nsSOAP     = "http://schemas.xmlsoap.org/soap/envelope/"
	nsOutbound = "http://soap.sforce.com/2005/09/outbound"
	nsXSI      = "http://www.w3.org/2001/XMLSchema-instance"
)

// envelope is an Outbound Message: a SOAP envelope holding one
// notifications element, which batches up to 100 Notification elements.
type envelope struct {
	XMLName xml.Name `xml:"http://schemas.xmlsoap.org/soap/envelope/ Envelope"`
	Body    struct {
		Notifications *message `xml:"http://soap.sforce.com/2005/09/outbound notifications"`
	} `xml:"http://schemas.xmlsoap.org/soap/envelope/ Body"`
}

type message struct {
	OrganizationID string         `xml:"OrganizationId"`
	ActionID       string         `xml:"ActionId"`
	EnterpriseURL  string         `xml:"EnterpriseUrl"`
	PartnerURL     string         `xml:"PartnerUrl"`
	Notifications  []notification `xml:"Notification"`
	// SessionId is deliberately not read: when "Send Session ID" is on it
	// is a live API session of the sending user, and it must never land
	// in an event body and so in workflow history.
}

type notification struct {
	ID      string  `xml:"Id"`
	SObject *record `xml:"sObject"`
}

// record is an sObject: its type in xsi:type ("sf:Opportunity") and one
// element per field sent.
type record struct {
	Type   string  `xml:"http://www.w3.org/2001/XMLSchema-instance type,attr"`
	Fields []field `xml:",any"`
}

type field struct {
	XMLName xml.Name
	Nil     string  `xml:"http://www.w3.org/2001/XMLSchema-instance nil,attr"`
	Text    string  `xml:",chardata"`
	Fields  []field `xml:",any"`
}

// parse decodes an Outbound Message. encoding/xml resolves no external
// entities and fetches nothing, so a hostile document cannot reach files
// or the network.
func parse(body []byte) (*message, error) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, errors.New("the body is empty")
	}
	var env envelope
	if err := xml.Unmarshal(body, &env); err != nil {
		return nil, fmt.Errorf("malformed SOAP body: %w", err)
	}
	if env.Body.Notifications == nil {
		return nil, errors.New("the SOAP body holds no notifications element of " + nsOutbound)
	}
	return env.Body.Notifications, nil
}

// Extract turns an Outbound Message into one event per Notification (a
// message batches up to 100). Each event's id is the notification's Id,
// which Salesforce keeps when it resends an unacknowledged message, and
// its type is the sObject type ("Opportunity", "Contact", "Invoice__c").
// The body is
//
//	{"notification_id","organization_id","action_id","sobject_type",
//	 "sobject":{"Id":…,"Name":…},"enterprise_url","partner_url"}
//
// where every field value is the text Salesforce sent (XML carries no
// types: use float(trigger.sobject.Amount) to compare numbers), null for
// xsi:nil, and an object for the rare nested element.
func Extract(r *connectors.Request, _ connectors.Values) ([]connectors.Event, error) {
	msg, err := parse(r.Body)
	if err != nil {
		return nil, fmt.Errorf("reading Salesforce outbound message: %w", err)
	}
	events := make([]connectors.Event, 0, len(msg.Notifications))
	for i, n := range msg.Notifications {
		id := strings.TrimSpace(n.ID)
		if id == "" {
			return nil, fmt.Errorf("reading Salesforce outbound message: Notification[%d].Id is missing", i)
		}
		if n.SObject == nil {
			return nil, fmt.Errorf("reading Salesforce outbound message: Notification[%d].sObject is missing", i)
		}
		typ := n.SObject.Type
		if _, local, ok := strings.Cut(typ, ":"); ok {
			typ = local
		}
		if typ == "" {
			return nil, fmt.Errorf("reading Salesforce outbound message: Notification[%d].sObject has no xsi:type", i)
		}
		body, err := json.Marshal(map[string]any{
			"notification_id": id,
			"organization_id": msg.OrganizationID,
			"action_id":       msg.ActionID,
			"enterprise_url":  msg.EnterpriseURL,
			"partner_url":     msg.PartnerURL,
			"sobject_type":    typ,
			"sobject":         fieldValues(n.SObject.Fields),
		})
		if err != nil {
			return nil, fmt.Errorf("reading Salesforce outbound message: encoding Notification[%d]: %w", i, err)
		}
		events = append(events, connectors.Event{ID: id, Type: typ, Body: body})
	}
	return events, nil
}

// fieldValues maps field elements to JSON values by local name.
func fieldValues(fields []field) map[string]any {
	out := make(map[string]any, len(fields))
	for _, f := range fields {
		switch {
		case f.Nil == "true":
			out[f.XMLName.Local] = nil
		case len(f.Fields) > 0:
			out[f.XMLName.Local] = fieldValues(f.Fields)
		default:
			out[f.XMLName.Local] = f.Text
		}
	}
	return out
}

// ackBody is the acknowledgement Salesforce waits for; until it gets it,
// it resends the message for up to 24 hours.
const ackBody = `<?xml version="1.0" encoding="UTF-8"?>` +
	`<soapenv:Envelope xmlns:soapenv="` + nsSOAP + `">` +
	`<soapenv:Body><notificationsResponse xmlns="` + nsOutbound + `"><Ack>true</Ack></notificationsResponse></soapenv:Body>` +
	`</soapenv:Envelope>`

// Ack is the reply to every accepted Outbound Message.
var Ack = &connectors.Response{Status: 200, ContentType: "text/xml; charset=utf-8", Body: []byte(ackBody)}
