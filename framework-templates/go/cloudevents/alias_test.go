package cloudevents

import "net/http"

type httpRequest = http.Request
