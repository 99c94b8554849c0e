package funccontext

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// fields reads one JSON object and remembers its path from the top
// ("inputs.mqtt-in", "triggers.dapr[0]"), so every error names the exact field
// the user wrote; encoding/json's own errors drop map keys and list indexes.
// Errors are collected in *errs and the readers return zero values, so one
// parse reports every problem at once.
type fields struct {
	path string
	m    map[string]json.RawMessage
	errs *problems
}

// problems collects a parse's errors, the first one per path.
type problems struct {
	list []error
	at   map[string]bool
}

// at is the path of key inside f.
func (f fields) at(key string) string {
	if f.path == "" {
		return key
	}
	return f.path + "." + key
}

// fail records an error about path, unless path already has one (a value of
// the wrong type is not also "missing").
func (f fields) fail(path, format string, args ...any) {
	if f.errs.at[path] {
		return
	}
	f.errs.at[path] = true
	f.errs.list = append(f.errs.list, fmt.Errorf("%s: %s: %s", Env, path, fmt.Sprintf(format, args...)))
}

// raw returns key's value, treating null like an absent key.
func (f fields) raw(key string) (json.RawMessage, bool) {
	v, ok := f.m[key]
	if !ok || kind(v) == "null" {
		return nil, false
	}
	return v, true
}

func (f fields) wrongType(path, want string, v json.RawMessage) {
	f.fail(path, "want %s, got a JSON %s", want, kind(v))
}

func (f fields) str(key string) string {
	v, ok := f.raw(key)
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		f.wrongType(f.at(key), "a string", v)
	}
	return s
}

func (f fields) boolean(key string) bool {
	v, ok := f.raw(key)
	if !ok {
		return false
	}
	var b bool
	if json.Unmarshal(v, &b) != nil {
		f.wrongType(f.at(key), "true or false", v)
	}
	return b
}

// port reads a port given as a string ("8080", OpenFunction v1beta1) or a
// number (v1beta2); absent is def.
func (f fields) port(key string, def int) int {
	v, ok := f.raw(key)
	if !ok {
		return def
	}
	var s string
	switch kind(v) {
	case "string":
		json.Unmarshal(v, &s)
	case "number":
		s = string(v)
	default:
		f.wrongType(f.at(key), "a port number", v)
		return def
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		f.fail(f.at(key), "%s is not a port number (1-65535)", v)
		return def
	}
	return p
}

func (f fields) strList(key string) []string {
	v, ok := f.raw(key)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		f.wrongType(f.at(key), "a list of strings", v)
		return nil
	}
	out := make([]string, 0, len(items))
	for i, item := range items {
		var s string
		if json.Unmarshal(item, &s) != nil {
			f.wrongType(fmt.Sprintf("%s[%d]", f.at(key), i), "a string", item)
		}
		out = append(out, s)
	}
	return out
}

func (f fields) strMap(key string) map[string]string {
	o, ok := f.object(key)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(o.m))
	for _, k := range sortedKeys(o.m) {
		out[k] = o.str(k)
	}
	return out
}

// object reads key as an object; absent, null or the wrong type is false.
func (f fields) object(key string) (fields, bool) {
	v, ok := f.raw(key)
	if !ok {
		return fields{}, false
	}
	return f.objectAt(f.at(key), v)
}

func (f fields) objectAt(path string, v json.RawMessage) (fields, bool) {
	var m map[string]json.RawMessage
	if kind(v) != "object" || json.Unmarshal(v, &m) != nil {
		f.wrongType(path, "an object", v)
		return fields{path: path, errs: f.errs}, false
	}
	return fields{path: path, m: m, errs: f.errs}, true
}

// keyed is one entry of a map of objects.
type keyed struct {
	key string
	fields
}

// objects reads key as a map of objects, sorted by key. A null entry is an
// error (say what it should hold), not an empty object.
func (f fields) objects(key string) []keyed {
	o, ok := f.object(key)
	if !ok {
		return nil
	}
	var out []keyed
	for _, k := range sortedKeys(o.m) {
		if kind(o.m[k]) == "null" {
			f.fail(o.at(k), "null; give componentName and componentType")
			continue
		}
		if entry, ok := o.objectAt(o.at(k), o.m[k]); ok {
			out = append(out, keyed{k, entry})
		}
	}
	return out
}

// list reads key as a list of objects; a null or non-object item is an error.
func (f fields) list(key string) []fields {
	v, ok := f.raw(key)
	if !ok {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(v, &items) != nil {
		f.wrongType(f.at(key), "a list", v)
		return nil
	}
	out := make([]fields, 0, len(items))
	for i, item := range items {
		o, _ := f.objectAt(fmt.Sprintf("%s[%d]", f.at(key), i), item)
		out = append(out, o) // a bad item stays in place as an empty object so indexes match
	}
	return out
}

// kind names a JSON value's type.
func kind(v json.RawMessage) string {
	v = bytes.TrimSpace(v)
	if len(v) == 0 {
		return "nothing"
	}
	switch v[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "boolean"
	case 'n':
		return "null"
	}
	return "number"
}

// syntaxError names where the JSON is malformed.
func syntaxError(s string, err error) error {
	var syn *json.SyntaxError
	if errors.As(err, &syn) {
		before := s[:min(int(syn.Offset), len(s))]
		line := 1 + strings.Count(before, "\n")
		column := len(before) - strings.LastIndex(before, "\n") - 1
		return fmt.Errorf("%s is not valid JSON (line %d, column %d): %v", Env, line, column, syn)
	}
	return fmt.Errorf("%s is not valid JSON: %v", Env, err)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
