package salesforce_test

import (
	"testing"

	"github.com/tidwall/gjson"

	"github.com/hookflow/hookflow/connectors/connectortest"
	"github.com/hookflow/hookflow/connectors/salesforce"
)

const envelopeOpen = `<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ` +
	`xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body><notifications xmlns="http://soap.sforce.com/2005/09/outbound">` +
	`<OrganizationId>00D5g000004ABCDEAQ</OrganizationId><ActionId>04k5g000000TqBkAAK</ActionId>`
const envelopeClose = `</notifications></soapenv:Body></soapenv:Envelope>`

func TestExtractEdgeCases(t *testing.T) {
	custom := envelopeOpen + `<SessionId>00D5g!SECRET.SESSION</SessionId><Notification><Id>04l000000000001AAA</Id>` +
		`<sObject xsi:type="sf:Invoice__c" xmlns:sf="urn:sobject.enterprise.soap.sforce.com"><sf:Id>a015g000001AbCdAAK</sf:Id>` +
		`<sf:Total__c>99.5</sf:Total__c></sObject></Notification>` + envelopeClose
	connectortest.RunExtract(t, salesforce.Extract, []connectortest.ExtractCase{
		{Name: "custom object", Request: connectortest.NewRequest(custom), Want: []string{"04l000000000001AAA Invoice__c"}},
		{Name: "no notifications is an empty batch", Request: connectortest.NewRequest(envelopeOpen + envelopeClose), Want: []string{}},
		{Name: "notification without id", Request: connectortest.NewRequest(envelopeOpen + `<Notification><sObject xsi:type="sf:Lead"/></Notification>` + envelopeClose),
			WantErr: "reading Salesforce outbound message: Notification[0].Id is missing"},
		{Name: "sObject without type", Request: connectortest.NewRequest(envelopeOpen + `<Notification><Id>04l1</Id><sObject/></Notification>` + envelopeClose),
			WantErr: "reading Salesforce outbound message: Notification[0].sObject has no xsi:type"},
		{Name: "other SOAP body", Request: connectortest.NewRequest(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body/></soapenv:Envelope>`),
			WantErr: "reading Salesforce outbound message: the SOAP body holds no notifications element of http://soap.sforce.com/2005/09/outbound"},
		{Name: "empty", Request: connectortest.NewRequest(" "), WantErr: "reading Salesforce outbound message: the body is empty"},
	})
	events, err := salesforce.Extract(connectortest.NewRequest(custom), nil)
	if err != nil {
		t.Fatal(err)
	}
	body := events[0].Body
	if got := gjson.GetBytes(body, "sobject.Total__c").String(); got != "99.5" {
		t.Errorf("sobject.Total__c = %q in %s", got, body)
	}
	if gjson.GetBytes(body, "session_id").Exists() || gjson.GetBytes(body, "SessionId").Exists() {
		t.Errorf("the session id leaked into the event body: %s", body)
	}
}
