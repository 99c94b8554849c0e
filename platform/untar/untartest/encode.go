package untartest

import (
	"archive/tar"
	"encoding/binary"
)

// entryTypes are the tar types EncodeEntries and DecodeEntries know, by index.
var entryTypes = []byte{tar.TypeReg, tar.TypeDir, tar.TypeSymlink, tar.TypeLink, tar.TypeChar, tar.TypeFifo}

// EncodeEntries writes entries in DecodeEntries' format: per entry a type
// index, a 16-bit mode, and name, link and body each behind a length byte
// (longer fields are cut at 255 bytes).
func EncodeEntries(entries []Entry) []byte {
	var out []byte
	for _, e := range entries {
		t := byte(0)
		for i, typ := range entryTypes {
			if typ == e.Type {
				t = byte(i)
			}
		}
		out = append(out, t)
		out = binary.BigEndian.AppendUint16(out, uint16(e.Mode))
		for _, s := range []string{e.Name, e.Link, e.Body} {
			if len(s) > 255 {
				s = s[:255]
			}
			out = append(append(out, byte(len(s))), s...)
		}
	}
	return out
}

// DecodeEntries reads what EncodeEntries wrote; any bytes decode to some
// entries (a fuzz target builds valid archives from them).
func DecodeEntries(b []byte) []Entry {
	var out []Entry
	for len(b) >= 3 && len(out) < 64 {
		e := Entry{Type: entryTypes[int(b[0])%len(entryTypes)], Mode: int64(binary.BigEndian.Uint16(b[1:3]))}
		b = b[3:]
		field := func() string {
			if len(b) == 0 {
				return ""
			}
			n := min(int(b[0]), len(b)-1)
			s := string(b[1 : 1+n])
			b = b[1+n:]
			return s
		}
		e.Name, e.Link, e.Body = field(), field(), field()
		if e.Name == "" {
			continue
		}
		out = append(out, e)
	}
	return out
}
