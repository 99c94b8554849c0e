package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"kiln.dev/kiln/platform/fsutil"
	"kiln.dev/kiln/platform/invoke"
)

// maxData bounds -d @FILE.
const maxData = 64 << 20

func newInvokeCmd(c *cli) *cobra.Command {
	var port int
	var path, data, method, ceType, ceSource, ceID, ceSubject, ceContentType string
	var headers []string
	var structured bool
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "invoke [URL]",
		Short: "Send an HTTP request or a CloudEvent to a running function",
		Long: "Send a request to a function (kiln run's, or any URL) and print the response body on stdout.\n" +
			"With --ce-type and --ce-source the data goes as a CloudEvent: binary mode (ce-* headers) by default,\n" +
			"one application/cloudevents+json document with --structured. A status of 400 or more exits 1.",
		Example: "  kiln invoke -p 8080\n  kiln invoke http://127.0.0.1:8080/hello -d '{\"name\":\"kiln\"}' -H 'X-Trace: 1'\n" +
			"  kiln invoke -p 8080 --ce-type dev.kiln.sample --ce-source /cli -d '{\"n\":1}' --structured",
		Args: func(_ *cobra.Command, pos []string) error {
			if len(pos) > 1 || (len(pos) == 1) == (port != 0) {
				return usageError{"kiln invoke URL | kiln invoke --port N [--path /PATH]: name the function once"}
			}
			return nil
		},
	}
	fs := cmd.Flags()
	fs.SortFlags = false
	fs.IntVarP(&port, "port", "p", 0, "the function's port on 127.0.0.1 (kiln run --port), instead of a URL")
	fs.StringVar(&path, "path", "/", "with --port: the request path")
	fs.StringVarP(&data, "data", "d", "", "request body; @FILE reads a file, @- stdin")
	fs.StringVarP(&method, "request", "X", "", "HTTP method (default: POST with data or an event, else GET)")
	fs.StringArrayVarP(&headers, "header", "H", nil, `extra header "Name: value" (repeatable)`)
	fs.StringVar(&ceType, "ce-type", "", "send a CloudEvent of this type (with --ce-source)")
	fs.StringVar(&ceSource, "ce-source", "", "the CloudEvent's source")
	fs.StringVar(&ceID, "ce-id", "", "the CloudEvent's id (default: random)")
	fs.StringVar(&ceSubject, "ce-subject", "", "the CloudEvent's subject")
	fs.StringVar(&ceContentType, "ce-content-type", "", "the CloudEvent's datacontenttype (default application/json)")
	fs.BoolVar(&structured, "structured", false, "send the CloudEvent in structured mode (application/cloudevents+json)")
	fs.DurationVar(&timeout, "timeout", 30*time.Second, "give up after this long")
	cmd.RunE = func(cmd *cobra.Command, pos []string) error {
		target := ""
		if len(pos) == 1 {
			target = pos[0]
		} else {
			target = "http://127.0.0.1:" + strconv.Itoa(port) + "/" + strings.TrimPrefix(path, "/")
		}
		body, err := readData(data)
		if err != nil {
			return err
		}
		r := invoke.Request{URL: target, Method: method, Headers: headers, Data: body}
		if ceType != "" || ceSource != "" || structured {
			r.Event = &invoke.Event{Type: ceType, Source: ceSource, ID: ceID, Subject: ceSubject, ContentType: ceContentType, Structured: structured}
		}
		ctx, cancel := context.WithTimeout(context.Background(), timeout)
		defer cancel()
		req, err := invoke.NewHTTPRequest(ctx, r)
		if err != nil {
			return usageError{err.Error()}
		}
		return c.send(req)
	}
	return cmd
}

// readData is -d's value: inline, @FILE or @- (stdin), bounded.
func readData(d string) ([]byte, error) {
	name, ok := strings.CutPrefix(d, "@")
	if !ok {
		return []byte(d), nil
	}
	var b []byte
	var err error
	if name == "-" {
		b, err = fsutil.ReadAtMost(os.Stdin, maxData)
	} else {
		b, err = fsutil.ReadFileAtMost(name, maxData)
	}
	if err != nil {
		return nil, fmt.Errorf("-d @%s: %w (at most %d MB)", name, err, maxData>>20)
	}
	return b, nil
}

// send makes the request and prints the response: the body on stdout, the
// status and headers on stderr with --verbose.
func (c *cli) send(req *http.Request) error {
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w (is the function running? kiln run prints its URL)", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	if c.verbose {
		fmt.Fprintf(c.stderr, "%s %s\n", resp.Proto, resp.Status)
		resp.Header.Write(c.stderr)
		fmt.Fprintln(c.stderr)
	}
	if _, err := io.Copy(c.stdout, resp.Body); err != nil {
		return fmt.Errorf("%s %s: reading the response: %w", req.Method, req.URL, err)
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("%s %s: %s", req.Method, req.URL, resp.Status)
	}
	return nil
}
