package adjoint

// The checker's scopes and labels: which names are declared where, and
// where each label and goto lands.

func (c *checker) open() { c.sc = &scope{parent: c.sc, objs: map[string]*object{}} }

// close leaves a block; in a finished function, its variables must have
// been used.
func (c *checker) close() {
	if c.env.Final {
		for _, name := range c.sc.order {
			if o := c.sc.objs[name]; !o.used && !o.param && !o.konst {
				c.errorf("%s declared and not used", name)
			}
		}
	}
	c.sc = c.sc.parent
}

func (c *checker) declare(name string, o *object) {
	if name == "_" || name == "" {
		return
	}
	if c.sc.objs[name] != nil {
		c.errorf("%s redeclared in this block", name)
		return
	}
	c.sc.objs[name] = o
	c.sc.order = append(c.sc.order, name)
	// Remember the type for the checks that look at the whole function;
	// a name declared twice with different types has none there.
	if _, isConst := o.typ.(untyped); o.typ != nil && !isConst {
		if old, seen := c.declTypes[name]; seen && (old == nil || !identical(old, o.typ)) {
			c.declTypes[name] = nil
		} else {
			c.declTypes[name] = o.typ
		}
	}
}

func (c *checker) lookup(name string) *object {
	for s := c.sc; s != nil; s = s.parent {
		if o := s.objs[name]; o != nil {
			return o
		}
	}
	return nil
}

// outside reports whether name is declared outside the function, or will
// be by a later pass.
func (c *checker) outside(name string) bool {
	return c.env.Pending[name] || c.env.Outer[name] || universe[name]
}

// undeclared reports a name used where no declaration of it is in scope.
func (c *checker) undeclared(name, use string) {
	if c.declared[name] {
		c.errorf("%s %s where no declaration of it is in scope (it is declared elsewhere in the function: a hoisting or scoping bug)", name, use)
	} else {
		c.errorf("%s %s but declared nowhere", name, use)
	}
}

// read checks a read of name and returns its object, or nil for a name
// from outside.
func (c *checker) read(name string) *object {
	if name == "_" {
		c.errorf("cannot use _ as a value")
		return nil
	}
	if o := c.lookup(name); o != nil {
		o.used = true
		return o
	}
	if !c.outside(name) {
		c.undeclared(name, "is used")
	}
	return nil
}

func (c *checker) defineLabel(name string) {
	if name == "" {
		return
	}
	if c.labels[name] != nil {
		c.errorf("label %s defined twice", name)
		return
	}
	fr := c.frames[len(c.frames)-1]
	c.labels[name] = &labelSite{frame: fr, index: fr.index}
}

// resolveGotos checks each goto against Go's rules: its label exists, in
// the goto's block or an enclosing one, and a forward jump skips no
// declaration in the label's block.
func (c *checker) resolveGotos() {
	for _, g := range c.gotos {
		c.where = g.where
		lab := c.labels[g.label]
		if lab == nil {
			c.errorf("goto %s: no such label", g.label)
			continue
		}
		lab.used = true
		found := false
		for _, fr := range g.frames {
			if len(fr.list) == 0 || len(lab.frame.list) == 0 || &fr.list[0] != &lab.frame.list[0] {
				continue
			}
			found = true
			for _, s := range fr.list[min(fr.index+1, lab.index):lab.index] {
				for _, name := range declaredBy(s) {
					c.errorf("goto %s jumps over the declaration of %s", g.label, name)
				}
			}
		}
		if !found {
			c.errorf("goto %s jumps into a block", g.label)
		}
	}
	c.where = nil
}

// declaredBy lists the variables a statement declares in its own block.
func declaredBy(s Stmt) []string {
	var out []string
	switch s := s.(type) {
	case VarDecl:
		if !s.Const {
			out = append(out, s.Names...)
		}
	case Assign:
		if s.Op == ":=" {
			for _, x := range s.Lhs {
				if id, ok := x.(Ident); ok && id.Name != "_" {
					out = append(out, id.Name)
				}
			}
		}
	}
	return out
}

// shadowed reports whether a predeclared name is declared again, in the
// function or its package.
func (c *checker) shadowed(name string) bool { return c.lookup(name) != nil || c.env.Outer[name] }
