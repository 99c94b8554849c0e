//go:build go1.24

package funcframework

import (
	"bytes"
	"encoding/binary"
	"io"
	"net"
	"net/http"
	"sync"
	"testing"
)

// pb is a protobuf message decoded just enough for these tests: the
// length-delimited fields by number (map entries as key → value).
type pb struct {
	str map[int]string
	kv  map[int]map[string]string
}

func decodePB(b []byte) pb {
	m := pb{str: map[int]string{}, kv: map[int]map[string]string{}}
	for len(b) > 0 {
		key, n := binary.Uvarint(b)
		if n <= 0 {
			return m
		}
		b = b[n:]
		num, wire := int(key>>3), key&7
		switch wire {
		case 0:
			if _, n = binary.Uvarint(b); n <= 0 {
				return m
			}
			b = b[n:]
			continue
		case 2:
		default:
			return m // not a message these tests send: stop
		}
		l, n := binary.Uvarint(b)
		if n <= 0 || uint64(len(b)-n) < l {
			return m
		}
		v := b[n : n+int(l)]
		b = b[n+int(l):]
		m.str[num] = string(v)
		if e := decodePB(v); e.str[1] != "" && len(e.str) <= 2 {
			if m.kv[num] == nil {
				m.kv[num] = map[string]string{}
			}
			m.kv[num][e.str[1]] = e.str[2]
		}
	}
	return m
}

func encodePB(fields map[int]string) []byte {
	var b []byte
	for num := 1; num <= 16; num++ {
		v, ok := fields[num]
		if !ok {
			continue
		}
		b = binary.AppendUvarint(b, uint64(num<<3|2))
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

func grpcFrame(msg []byte) []byte {
	return append(binary.BigEndian.AppendUint32([]byte{0}, uint32(len(msg))), msg...)
}

func h2c() *http.Protocols {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &p
}

// daprCall is one call the fake daprd received.
type daprCall struct {
	method      string
	req         pb
	traceparent string
}

// fakeDaprd serves the two methods of Dapr's API the framework calls, over
// h2c gRPC on a loopback listener, and records the calls.
type fakeDaprd struct {
	addr  string
	mu    sync.Mutex
	calls []daprCall
}

func startFakeDaprd(t *testing.T) *fakeDaprd {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDaprd{addr: ln.Addr().String()}
	srv := &http.Server{Protocols: h2c(), Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := decodePB(body[5:])
		d.mu.Lock()
		d.calls = append(d.calls, daprCall{r.URL.Path, req, r.Header.Get("Traceparent")})
		d.mu.Unlock()
		w.Header().Set("Content-Type", "application/grpc")
		w.Header().Set("Trailer", "Grpc-Status, Grpc-Message")
		var resp []byte
		switch {
		case r.URL.Path == "/dapr.proto.runtime.v1.Dapr/InvokeBinding" && req.str[1] == "broken-out":
			w.Header().Set("Grpc-Status", "13")
			w.Header().Set("Grpc-Message", "binding broken-out failed")
			return
		case r.URL.Path == "/dapr.proto.runtime.v1.Dapr/InvokeBinding":
			resp = encodePB(map[int]string{1: "binding says ok to " + req.str[2]})
		}
		w.Write(grpcFrame(resp))
		w.Header().Set("Grpc-Status", "0")
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return d
}

func (d *fakeDaprd) port() string {
	_, p, _ := net.SplitHostPort(d.addr)
	return p
}

func (d *fakeDaprd) received() []daprCall {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]daprCall(nil), d.calls...)
}

// grpcCall calls a unary method on the app over h2c, as daprd does, and
// returns the response message and grpc-status.
func grpcCall(t *testing.T, addr, method string, req []byte) ([]byte, string, string) {
	t.Helper()
	c := &http.Client{Transport: &http.Transport{Protocols: h2c()}, Timeout: wait}
	defer c.CloseIdleConnections()
	hr, _ := http.NewRequest(http.MethodPost, "http://"+addr+method, bytes.NewReader(grpcFrame(req)))
	hr.Header.Set("Content-Type", "application/grpc")
	hr.Header.Set("TE", "trailers")
	resp, err := c.Do(hr)
	if err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	status, message := resp.Trailer.Get("Grpc-Status"), resp.Trailer.Get("Grpc-Message")
	if status == "" {
		status, message = resp.Header.Get("Grpc-Status"), resp.Header.Get("Grpc-Message")
	}
	if len(b) >= 5 {
		b = b[5:]
	}
	return b, status, message
}
