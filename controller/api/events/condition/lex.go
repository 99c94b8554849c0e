package condition

import (
	"fmt"
	"strings"
)

type tokKind int

const (
	tokEOF tokKind = iota
	tokIdent
	tokString
	tokAnd
	tokOr
	tokNot
	tokEq
	tokNe
	tokLParen
	tokRParen
)

type token struct {
	kind tokKind
	text string
	pos  int
}

func isIdentStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

func isIdentPart(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' || c == '-' || c == '.' }

// lex splits src into tokens; it rejects every operator outside the subset.
func lex(src string) ([]token, error) {
	var out []token
	for i := 0; i < len(src); {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case isIdentStart(c):
			j := i + 1
			for j < len(src) && isIdentPart(src[j]) {
				j++
			}
			out = append(out, token{tokIdent, src[i:j], i})
			i = j
		case c == '"' || c == '\'':
			j := i + 1
			var b strings.Builder
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			out = append(out, token{tokString, b.String(), i})
			i = j + 1
		case strings.HasPrefix(src[i:], "&&"):
			out = append(out, token{tokAnd, "&&", i})
			i += 2
		case strings.HasPrefix(src[i:], "||"):
			out = append(out, token{tokOr, "||", i})
			i += 2
		case strings.HasPrefix(src[i:], "=="):
			out = append(out, token{tokEq, "==", i})
			i += 2
		case strings.HasPrefix(src[i:], "!="):
			out = append(out, token{tokNe, "!=", i})
			i += 2
		case c == '!':
			out = append(out, token{tokNot, "!", i})
			i++
		case c == '(':
			out = append(out, token{tokLParen, "(", i})
			i++
		case c == ')':
			out = append(out, token{tokRParen, ")", i})
			i++
		default:
			return nil, fmt.Errorf("unsupported character %q at %d: conditions use input names, CloudEvent attributes, string literals, ==, !=, &&, ||, ! and parentheses", c, i)
		}
	}
	return append(out, token{tokEOF, "", len(src)}), nil
}
