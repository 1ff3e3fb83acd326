package connectors

import (
	"fmt"
	"net/mail"
	"strings"
)

// MaxAddresses bounds the addresses one address input may list, so a
// mapping gone wrong (a whole customer list in "to") fails clearly
// instead of mailing thousands of people.
const MaxAddresses = 100

// EmailAddresses reads an email address input of an action (to, cc, bcc,
// reply_to) that may be one string of comma-separated addresses
// ("ada@example.com, Bob <bob@example.com>") or an array of strings, as a
// template typing {{ trigger.emails }} gives. Each address must parse as
// RFC 5322 (net/mail); errors are permanent and name the field and the
// position, such as "input.cc[2]: "bob@" is not an email address". A
// missing or empty value gives no addresses and no error; whether the
// field is required is the spec's business.
func EmailAddresses(in Values, name string) ([]*mail.Address, error) {
	var items []string
	switch v := in[name].(type) {
	case nil:
		return nil, nil
	case string:
		if strings.TrimSpace(v) == "" {
			return nil, nil
		}
		list, err := mail.ParseAddressList(v)
		if err != nil {
			// Find the culprit for the message, splitting naively: a
			// display name with a comma must be quoted anyway.
			for i, part := range strings.Split(v, ",") {
				if _, perr := mail.ParseAddress(strings.TrimSpace(part)); perr != nil {
					return nil, InputError(fmt.Sprintf("%s[%d]", name, i), fmt.Sprintf("%q is not an email address", truncate(strings.TrimSpace(part))))
				}
			}
			return nil, InputError(name, "is not a comma-separated list of email addresses: "+err.Error())
		}
		if len(list) > MaxAddresses {
			return nil, InputError(name, fmt.Sprintf("lists %d addresses; at most %d are allowed", len(list), MaxAddresses))
		}
		return list, nil
	case []string:
		items = v
	case []any:
		for i, x := range v {
			s, ok := x.(string)
			if !ok {
				return nil, InputError(fmt.Sprintf("%s[%d]", name, i), "want a string email address, got "+typeName(x))
			}
			items = append(items, s)
		}
	default:
		return nil, InputError(name, "want an email address, a comma-separated list or an array of addresses, got "+typeName(v))
	}
	if len(items) > MaxAddresses {
		return nil, InputError(name, fmt.Sprintf("lists %d addresses; at most %d are allowed", len(items), MaxAddresses))
	}
	out := make([]*mail.Address, 0, len(items))
	for i, s := range items {
		a, err := mail.ParseAddress(strings.TrimSpace(s))
		if err != nil {
			return nil, InputError(fmt.Sprintf("%s[%d]", name, i), fmt.Sprintf("%q is not an email address", truncate(s)))
		}
		out = append(out, a)
	}
	return out, nil
}
