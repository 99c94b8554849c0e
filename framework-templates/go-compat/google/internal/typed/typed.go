// Package typed serves Google's typed functions: func(T) (U, error) and the
// shapes Google's framework allows, the request body decoded from JSON into
// T and the result encoded as JSON.
package typed

import (
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"reflect"
)

var errorType = reflect.TypeOf((*error)(nil)).Elem()

// Handler checks fn's shape and returns its handler: one parameter, at most
// two results, the last of which (when any) is an error.
func Handler(fn interface{}) (http.Handler, error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return nil, fmt.Errorf("expected a function, got %T", fn)
	}
	ft := v.Type()
	if ft.NumIn() != 1 {
		return nil, fmt.Errorf("expected function to have one parameters, found %d", ft.NumIn())
	}
	if ft.NumOut() > 2 {
		return nil, fmt.Errorf("expected function to have maximum two return values")
	}
	if ft.NumOut() > 0 && !ft.Out(ft.NumOut()-1).AssignableTo(errorType) {
		return nil, fmt.Errorf("expected last return type to be of error")
	}
	in := ft.In(0)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		arg := reflect.New(in)
		if err := json.Unmarshal(body, arg.Interface()); err != nil {
			http.Error(w, "Error while converting input data. "+err.Error(), http.StatusBadRequest)
			return
		}
		results := v.Call([]reflect.Value{arg.Elem()})
		if len(results) == 0 {
			return
		}
		if last := results[len(results)-1]; ft.Out(len(results)-1).AssignableTo(errorType) && !last.IsNil() {
			log.Printf("Function error: %v", last.Interface())
			http.Error(w, fmt.Sprintf("Function error: %v", last.Interface()), http.StatusInternalServerError)
			return
		}
		if len(results) == 2 || !ft.Out(0).AssignableTo(errorType) {
			b, err := json.Marshal(results[0].Interface())
			if err != nil {
				http.Error(w, "encoding the result: "+err.Error(), http.StatusInternalServerError)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write(b)
		}
	}), nil
}
