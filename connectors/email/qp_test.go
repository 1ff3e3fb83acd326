package email

import (
	"io"
	"mime/quotedprintable"
	"strings"
)

func newQPReader(s string) io.Reader { return quotedprintable.NewReader(strings.NewReader(s)) }
