package parser

import "github.com/imapwire/imapwire/wire"

// Namespace is "* NAMESPACE personal other shared" (RFC 2342). A nil slice
// means the server sent NIL for that class.
type Namespace struct {
	Personal []NamespaceDesc `json:"personal"`
	Other    []NamespaceDesc `json:"other"`
	Shared   []NamespaceDesc `json:"shared"`
}

// A NamespaceDesc is one namespace: its prefix and hierarchy delimiter.
type NamespaceDesc struct {
	Prefix    string    `json:"prefix"` // decoded from modified UTF-7
	Delim     string    `json:"delim"`  // "" when NIL
	Extension []ExtItem `json:"extension,omitempty"`
}

// ResponseType returns "NAMESPACE".
func (*Namespace) ResponseType() string { return "NAMESPACE" }

func (r *Reader) readNamespace() (Response, error) {
	w := r.w
	ns := &Namespace{}
	for _, dst := range []*[]NamespaceDesc{&ns.Personal, &ns.Other, &ns.Shared} {
		if err := w.ExpectSP("namespace-response"); err != nil {
			return nil, err
		}
		if c, err := w.Peek(); err == nil && c == '(' {
			// "()" is an empty list, not NIL: the slice must be non-nil.
			*dst = []NamespaceDesc{}
		}
		err := r.readParenList("namespace", listNilOK|listAdjacent, func() error {
			var d NamespaceDesc
			pos := 0
			err := r.readParenList("namespace-descr", 0, func() error {
				defer func() { pos++ }()
				switch pos {
				case 0:
					off := w.InputOffset()
					b, err := w.ReadString("namespace-descr")
					if err != nil {
						return err
					}
					mb, err := r.decodeMailbox(string(b), off, "namespace-descr")
					d.Prefix = mb.Name
					return err
				case 1:
					b, isNil, err := w.ReadNString("namespace-descr")
					if !isNil {
						d.Delim = r.intern(b)
					}
					return err
				}
				// Namespace-Response-Extension: string SP "(" string *(SP string) ")"
				name, err := w.ReadString("namespace-response-extension")
				if err != nil {
					return err
				}
				item := ExtItem{Name: string(name)}
				if err := w.ExpectSP("namespace-response-extension"); err != nil {
					return err
				}
				item.Value, err = r.readCountedValue("namespace-response-extension", false)
				d.Extension = append(d.Extension, item)
				return err
			})
			if err != nil {
				return err
			}
			if pos < 2 {
				return w.ErrorAt("namespace-descr", "prefix and delimiter")
			}
			*dst = append(*dst, d)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if *dst != nil && len(*dst) == 0 && r.strict {
			// Namespace = nil / "(" 1*Namespace-Descr ")"
			return nil, &wire.SyntaxError{Offset: w.InputOffset() - 1, Production: "namespace", Expected: "Namespace-Descr", Found: `")"`}
		}
	}
	return ns, w.ExpectCRLF("namespace-response")
}

// Quota is "* QUOTA root (resource usage limit ...)" (RFC 9208).
type Quota struct {
	Root      string          `json:"root"`
	Resources []QuotaResource `json:"resources"`
}

// A QuotaResource is one resource's usage and limit, such as STORAGE in
// units of 1024 octets.
type QuotaResource struct {
	Name  string `json:"name"`
	Usage uint64 `json:"usage"`
	Limit uint64 `json:"limit"`
}

// ResponseType returns "QUOTA".
func (*Quota) ResponseType() string { return "QUOTA" }

// QuotaRoot is "* QUOTAROOT mailbox root ..." (RFC 9208).
type QuotaRoot struct {
	Mailbox
	Roots []string `json:"roots"`
}

// ResponseType returns "QUOTAROOT".
func (*QuotaRoot) ResponseType() string { return "QUOTAROOT" }

func (r *Reader) readQuota() (Response, error) {
	w := r.w
	q := &Quota{Resources: []QuotaResource{}}
	if err := w.ExpectSP("quota-response"); err != nil {
		return nil, err
	}
	root, err := w.ReadAString("quota-root-name")
	if err != nil {
		return nil, err
	}
	q.Root = r.str(root)
	if !r.strict {
		// "* QUOTA root" with no list at all: a Maildir server answers
		// GETQUOTAROOT so for an account without a quota (RFC 2087 needs
		// "()"). Read as an empty quota.
		if eol, err := w.AtEOL(); err != nil {
			return nil, err
		} else if eol {
			return q, w.ExpectCRLF("quota-response")
		}
	}
	if err := w.ExpectSP("quota-response"); err != nil {
		return nil, err
	}
	err = r.readParenList("quota-list", 0, func() error {
		var res QuotaResource
		name, err := w.ReadAtom("quota-resource")
		if err != nil {
			return err
		}
		res.Name = upper(string(name))
		if err := w.ExpectSP("quota-resource"); err != nil {
			return err
		}
		if res.Usage, err = w.ReadNumber64("quota-resource"); err != nil {
			return err
		}
		if err := w.ExpectSP("quota-resource"); err != nil {
			return err
		}
		if res.Limit, err = w.ReadNumber64("quota-resource"); err != nil {
			return err
		}
		q.Resources = append(q.Resources, res)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return q, w.ExpectCRLF("quota-response")
}

func (r *Reader) readQuotaRoot() (Response, error) {
	w := r.w
	q := &QuotaRoot{Roots: []string{}}
	if err := w.ExpectSP("quotaroot-response"); err != nil {
		return nil, err
	}
	var err error
	if q.Mailbox, err = r.readMailbox("mailbox"); err != nil {
		return nil, err
	}
	for {
		eol, err := w.AtEOL()
		if err != nil {
			return nil, err
		}
		if eol {
			return q, w.ExpectCRLF("quotaroot-response")
		}
		if err := w.ExpectSP("quotaroot-response"); err != nil {
			return nil, err
		}
		if err := r.countElem("quotaroot-response"); err != nil {
			return nil, err
		}
		root, err := w.ReadAString("quota-root-name")
		if err != nil {
			return nil, err
		}
		q.Roots = append(q.Roots, r.str(root))
	}
}

// ID is "* ID (...)" (RFC 2971): the server's identification. Params is nil
// when the server sent NIL; a NIL value is stored as an absent key in
// Params and listed in NilKeys.
type ID struct {
	Params  map[string]string `json:"params"`
	NilKeys []string          `json:"nilKeys,omitempty"`
}

// ResponseType returns "ID".
func (*ID) ResponseType() string { return "ID" }

func (r *Reader) readID() (Response, error) {
	w := r.w
	id := &ID{}
	if err := w.ExpectSP("id-response"); err != nil {
		return nil, err
	}
	if c, err := w.Peek(); err == nil && c == '(' {
		// "()" is an empty list, not NIL: Params must be non-nil.
		id.Params = make(map[string]string)
	}
	var key string
	n := 0
	err := r.readParenList("id-params-list", listNilOK, func() error {
		if id.Params == nil {
			id.Params = make(map[string]string)
		}
		if n%2 == 0 {
			k, err := w.ReadString("id-params-list")
			if err != nil {
				return err
			}
			key = r.str(k)
		} else {
			v, isNil, err := w.ReadNString("id-params-list")
			if err != nil {
				return err
			}
			if isNil {
				id.NilKeys = append(id.NilKeys, key)
			} else {
				id.Params[key] = r.str(v)
			}
		}
		n++
		return nil
	})
	if err != nil {
		return nil, err
	}
	if n%2 == 1 {
		return nil, w.ErrorAt("id-params-list", "value")
	}
	return id, w.ExpectCRLF("id-response")
}
