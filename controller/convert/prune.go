package convert

import (
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"strings"
)

// field is one node of a structural schema: what the API server keeps of
// a value when it prunes unknown fields.
type field struct {
	kind fieldKind
	// props are an object's known properties.
	props map[string]*field
	// items are a list's items or a map's values.
	items *field
}

type fieldKind int

const (
	// leafField is a scalar, or a value read whole (a Quantity, a Duration,
	// a Time): nothing inside it is pruned.
	leafField fieldKind = iota
	objectField
	// mapField has any string keys, each value an items.
	mapField
	listField
	// openField keeps everything (x-kubernetes-preserve-unknown-fields).
	openField
)

var (
	leaf = &field{kind: leafField}
	open = &field{kind: openField}
)

func object(props map[string]*field) *field { return &field{kind: objectField, props: props} }
func listOf(items *field) *field            { return &field{kind: listField, items: items} }
func mapOf(values *field) *field            { return &field{kind: mapField, items: values} }

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// schemaOf derives the structural schema of a Go API type from its JSON
// tags, as controller-gen would: seen holds the structs already derived
// (and breaks cycles).
func schemaOf(t reflect.Type, seen map[reflect.Type]*field) *field {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if f, ok := seen[t]; ok {
		return f
	}
	if t.Implements(unmarshaler) || reflect.PointerTo(t).Implements(unmarshaler) {
		return leaf
	}
	switch t.Kind() {
	case reflect.Struct:
		f := object(map[string]*field{})
		seen[t] = f
		addProps(f, t, seen)
		return f
	case reflect.Map:
		return mapOf(schemaOf(t.Elem(), seen))
	case reflect.Slice, reflect.Array:
		if t.Elem().Kind() == reflect.Uint8 {
			return leaf // base64 bytes
		}
		return listOf(schemaOf(t.Elem(), seen))
	case reflect.Interface:
		return open
	}
	return leaf
}

// addProps adds struct t's JSON properties to f, those of inlined structs
// included.
func addProps(f *field, t reflect.Type, seen map[reflect.Type]*field) {
	for i := range t.NumField() {
		sf := t.Field(i)
		if !sf.IsExported() && !sf.Anonymous {
			continue
		}
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		if name == "-" && opts == "" {
			continue
		}
		ft := sf.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct && (strings.Contains(","+opts+",", ",inline,") || (sf.Anonymous && name == "")) {
			addProps(f, ft, seen)
			continue
		}
		if name == "" {
			name = sf.Name
		}
		f.props[name] = schemaOf(sf.Type, seen)
	}
}

// with returns s with the node at path replaced by add (deleted if add is
// nil), copying the nodes on the way so s and whatever shares its nodes are
// not changed. path is properties joined by dots, "[]" stepping into a
// list's items or a map's values: "spec.rules[].filters".
func with(s *field, path string, add *field) *field {
	var segs []string
	for _, p := range strings.Split(path, ".") {
		if name, ok := strings.CutSuffix(p, "[]"); ok {
			segs = append(segs, name, "[]")
		} else {
			segs = append(segs, p)
		}
	}
	return withSegs(s, segs, add, path)
}

func withSegs(s *field, segs []string, add *field, path string) *field {
	if len(segs) == 0 {
		return add
	}
	if s == nil {
		panic("convert: schema path " + path + ": no such node")
	}
	c := *s
	if segs[0] == "[]" {
		c.items = withSegs(s.items, segs[1:], add, path)
		return &c
	}
	if s.kind != objectField {
		panic("convert: schema path " + path + ": " + segs[0] + " is not in an object")
	}
	c.props = maps.Clone(s.props)
	child := withSegs(s.props[segs[0]], segs[1:], add, path)
	if child == nil {
		delete(c.props, segs[0])
	} else {
		c.props[segs[0]] = child
	}
	return &c
}

// prune deletes, in place, the properties of v that s does not know, and
// calls dropped with the path of each, in order. A value of another type
// than s expects is left for the strict parse to reject.
func prune(v any, s *field, path string, dropped func(path string)) {
	switch s.kind {
	case objectField:
		m, ok := v.(obj)
		if !ok {
			return
		}
		for _, k := range sortedKeys(m) {
			p := k
			if path != "" {
				p = path + "." + k
			}
			c, ok := s.props[k]
			if !ok {
				delete(m, k)
				dropped(p)
				continue
			}
			prune(m[k], c, p, dropped)
		}
	case mapField:
		m, ok := v.(obj)
		if !ok {
			return
		}
		for _, k := range sortedKeys(m) {
			prune(m[k], s.items, fmt.Sprintf("%s[%s]", path, k), dropped)
		}
	case listField:
		l, ok := v.([]any)
		if !ok {
			return
		}
		for i, x := range l {
			prune(x, s.items, fmt.Sprintf("%s[%d]", path, i), dropped)
		}
	}
}
