//go:build go1.24

package dapr

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"

	"kiln.dev/functions-framework-go/internal/server"
)

// gRPC status codes used here (google.golang.org/grpc/codes).
const (
	codeOK                = 0
	codeUnknown           = 2
	codeInvalidArg        = 3
	codeResourceExhausted = 8
	codeInternal          = 13
	codeUnimplemented     = 12
	codeUnavailable       = 14
)

// MaxMessageBytes bounds one gRPC message daprd sends the app (an event):
// 4 MiB, grpc-go's default receive limit and daprd's default body size. A
// bigger one is refused with RESOURCE_EXHAUSTED before it is read.
const MaxMessageBytes = 4 << 20

// maxResponseBytes bounds a response from daprd's API (an output binding's
// answer), which Kiln does not control the size of.
const maxResponseBytes = 64 << 20

// Status is a gRPC error: a code and a message.
type Status struct {
	Code    int
	Message string
}

func (s *Status) Error() string { return fmt.Sprintf("gRPC status %d: %s", s.Code, s.Message) }

// h2c is HTTP/2 without TLS (prior knowledge), which is what gRPC speaks to
// and from a sidecar on localhost.
func h2c() *http.Protocols {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &p
}

// frame wraps a message in gRPC's length-prefixed framing (uncompressed).
func frame(msg []byte) []byte {
	b := make([]byte, 5, 5+len(msg))
	binary.BigEndian.PutUint32(b[1:], uint32(len(msg)))
	return append(b, msg...)
}

// unframe reads one length-prefixed message of at most max bytes. The
// length in the header is a claim, not a promise: memory grows with the bytes
// that actually arrive, so a header claiming 4 MiB costs nothing until the
// 4 MiB come.
func unframe(r io.Reader, max int) ([]byte, error) {
	var hdr [5]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		if err == io.EOF {
			return nil, nil
		}
		return nil, fmt.Errorf("reading gRPC frame header: %w", err)
	}
	if hdr[0] != 0 {
		return nil, &Status{codeUnimplemented, "compressed gRPC messages are not supported"}
	}
	n := binary.BigEndian.Uint32(hdr[1:])
	if uint64(n) > uint64(max) {
		return nil, &Status{codeResourceExhausted, fmt.Sprintf("gRPC message of %d bytes is over the %d-byte limit", n, max)}
	}
	var buf bytes.Buffer
	buf.Grow(min(int(n), 64<<10))
	if _, err := io.Copy(&buf, io.LimitReader(r, int64(n))); err != nil {
		return nil, fmt.Errorf("reading gRPC message: %w", err)
	}
	if buf.Len() < int(n) {
		return nil, fmt.Errorf("reading gRPC message: %w (%d of %d bytes)", io.ErrUnexpectedEOF, buf.Len(), n)
	}
	return buf.Bytes(), nil
}

// grpcMethod is one unary method: request bytes in, response bytes out.
type grpcMethod func(ctx context.Context, header http.Header, req []byte) ([]byte, error)

// grpcHandler serves unary gRPC methods keyed by "/package.Service/Method".
func grpcHandler(methods map[string]grpcMethod) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
		m, ok := methods[r.URL.Path]
		if !ok {
			writeStatus(w, codeUnimplemented, "method "+r.URL.Path+" is not implemented")
			return
		}
		req, err := unframe(r.Body, MaxMessageBytes)
		if err != nil {
			writeErr(w, err)
			return
		}
		resp, err := m(r.Context(), r.Header, req)
		if err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
		w.Write(frame(resp))
		w.Header().Set("Grpc-Status", "0")
	})
}

func writeErr(w http.ResponseWriter, err error) {
	if s, ok := err.(*Status); ok {
		writeStatus(w, s.Code, s.Message)
		return
	}
	writeStatus(w, codeUnknown, err.Error())
}

func writeStatus(w http.ResponseWriter, code int, msg string) {
	w.WriteHeader(http.StatusOK)
	w.Header().Set("Grpc-Status", strconv.Itoa(code))
	w.Header().Set("Grpc-Message", percentEncode(msg))
}

// percentEncode escapes a grpc-message value as the gRPC spec asks.
func percentEncode(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '%' {
			fmt.Fprintf(&b, "%%%02X", c)
			continue
		}
		b.WriteByte(c)
	}
	return b.String()
}

func percentDecode(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b []byte
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+3], 16, 8); err == nil {
				b = append(b, byte(v))
				i += 2
				continue
			}
		}
		b = append(b, s[i])
	}
	return string(b)
}

// serveGRPC serves methods over h2c on ln until ctx ends.
func serveGRPC(ctx context.Context, ln net.Listener, methods map[string]grpcMethod) error {
	srv := server.New(grpcHandler(methods), server.Defaults())
	srv.Protocols = h2c()
	return server.Run(ctx, srv, ln, server.ShutdownGrace)
}

// grpcClient calls unary methods on a gRPC server over h2c.
type grpcClient struct {
	base string // http://host:port
	http *http.Client
}

func newGRPCClient(addr string) *grpcClient {
	tr := &http.Transport{Protocols: h2c(), MaxIdleConnsPerHost: 64}
	return &grpcClient{base: "http://" + addr, http: &http.Client{Transport: tr}}
}

// call invokes method ("/pkg.Service/Method") with req and returns the response message.
func (c *grpcClient) call(ctx context.Context, method string, header http.Header, req []byte) ([]byte, error) {
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+method, bytes.NewReader(frame(req)))
	if err != nil {
		return nil, err
	}
	for k, vs := range header {
		hr.Header[k] = vs
	}
	hr.Header.Set("Content-Type", "application/grpc")
	hr.Header.Set("TE", "trailers")
	resp, err := c.http.Do(hr)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	msg, err := unframe(resp.Body, maxResponseBytes)
	if err != nil {
		return nil, err
	}
	io.Copy(io.Discard, resp.Body)
	status := resp.Trailer.Get("Grpc-Status")
	message := resp.Trailer.Get("Grpc-Message")
	if status == "" { // trailers-only response
		status, message = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &Status{codeUnavailable, fmt.Sprintf("HTTP %d from %s", resp.StatusCode, c.base)}
	}
	if code, _ := strconv.Atoi(status); code != codeOK {
		return nil, &Status{code, percentDecode(message)}
	}
	return msg, nil
}
