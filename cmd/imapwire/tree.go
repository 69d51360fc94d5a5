package main

import (
	"bufio"
	"encoding"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/imapwire/imapwire/parser"
	"github.com/imapwire/imapwire/wire"
)

// writeTree prints the exported, non-zero fields of v, one per line, with
// nested structures indented below their field.
func writeTree(w *bufio.Writer, indent string, v any) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return
		}
		rv = rv.Elem()
	}
	if rv.Kind() != reflect.Struct {
		w.WriteString(indent)
		w.WriteString(scalar(rv))
		w.WriteByte('\n')
		return
	}
	writeFields(w, indent, rv)
}

func writeFields(w *bufio.Writer, indent string, rv reflect.Value) {
	t := rv.Type()
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		fv := rv.Field(i)
		if f.Anonymous {
			writeFields(w, indent, reflect.Indirect(fv))
			continue
		}
		if fv.IsZero() && t.NumField() > 1 {
			continue // a lone field, as in "* 0 EXISTS", is shown even when zero
		}
		if t == statusType && (f.Name == "Tag" || f.Name == "Type") {
			continue // shown in the header line
		}
		w.WriteString(indent)
		w.WriteString(f.Name)
		w.WriteByte(':')
		writeInline(w, indent+"  ", fv.Interface())
	}
}

// writeInline prints v after a field name: scalars and flat lists on the
// same line, structures on the following lines.
func writeInline(w *bufio.Writer, indent string, v any) {
	rv := reflect.ValueOf(v)
	for rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface {
		if rv.IsNil() {
			w.WriteString(" nil\n")
			return
		}
		rv = rv.Elem()
	}
	if isScalar(rv) {
		w.WriteByte(' ')
		w.WriteString(scalar(rv))
		w.WriteByte('\n')
		return
	}
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		if rv.Len() == 0 {
			w.WriteString(" []\n")
			return
		}
		if isScalar(indirect(rv.Index(0))) {
			w.WriteString(" [")
			for i := 0; i < rv.Len(); i++ {
				if i > 0 {
					w.WriteByte(' ')
				}
				w.WriteString(scalar(indirect(rv.Index(i))))
			}
			w.WriteString("]\n")
			return
		}
		w.WriteByte('\n')
		for i := 0; i < rv.Len(); i++ {
			fmt.Fprintf(w, "%s[%d]:", indent, i)
			writeInline(w, indent+"  ", rv.Index(i).Interface())
		}
	case reflect.Map:
		keys := rv.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int {
			return compareStrings(fmt.Sprint(a.Interface()), fmt.Sprint(b.Interface()))
		})
		w.WriteString(" {")
		for i, k := range keys {
			if i > 0 {
				w.WriteByte(' ')
			}
			fmt.Fprintf(w, "%v=%s", k.Interface(), scalar(indirect(rv.MapIndex(k))))
		}
		w.WriteString("}\n")
	case reflect.Struct:
		w.WriteByte('\n')
		writeFields(w, indent, rv)
	default:
		fmt.Fprintf(w, " %v\n", rv.Interface())
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func indirect(rv reflect.Value) reflect.Value {
	for (rv.Kind() == reflect.Pointer || rv.Kind() == reflect.Interface) && !rv.IsNil() {
		rv = rv.Elem()
	}
	return rv
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	valueType  = reflect.TypeFor[wire.Value]()
	codeType   = reflect.TypeFor[parser.Code]()
	addrType   = reflect.TypeFor[parser.Address]()
	paramsType = reflect.TypeFor[parser.Params]()
	statusType = reflect.TypeFor[parser.StatusResponse]()
	textType   = reflect.TypeFor[encoding.TextMarshaler]()
)

func isScalar(rv reflect.Value) bool {
	switch rv.Kind() {
	case reflect.String, reflect.Bool, reflect.Int, reflect.Int64, reflect.Int32,
		reflect.Uint, reflect.Uint64, reflect.Uint32, reflect.Uint16, reflect.Uint8:
		return true
	case reflect.Pointer:
		return rv.IsNil()
	}
	t := rv.Type()
	return t == timeType || t == codeType || t == addrType || t == paramsType || t == valueType || (t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8 && t.Implements(textType))
}

func scalar(rv reflect.Value) string {
	if !rv.IsValid() {
		return "nil"
	}
	switch v := rv.Interface().(type) {
	case time.Time:
		return v.Format(time.RFC3339)
	case wire.Value:
		return v.String()
	case encoding.TextMarshaler:
		b, _ := v.MarshalText()
		return string(b)
	case parser.Address:
		return v.String()
	case parser.Params:
		var b strings.Builder
		b.WriteByte('{')
		for i, p := range v {
			if i > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(p.Name + "=" + quoteIfNeeded(p.Value))
		}
		b.WriteByte('}')
		return b.String()
	case parser.Code:
		if v.Args == "" {
			return "[" + v.Name + "]"
		}
		return "[" + v.Name + " " + v.Args + "]"
	case string:
		return quoteIfNeeded(v)
	}
	return fmt.Sprint(rv.Interface())
}

// quoteIfNeeded returns s bare when it is a printable word, else quoted.
func quoteIfNeeded(s string) string {
	if s == "" {
		return `""`
	}
	for _, c := range s {
		if c <= ' ' || c == '"' || c == 0x7f || c == 0xfffd {
			return strconv.Quote(s)
		}
	}
	return s
}
