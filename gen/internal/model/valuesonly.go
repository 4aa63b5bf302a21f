package model

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
)

// ValuesOnly is the problems of the envs/ files that hold logic: an
// `outputs` field, a definition (#…) or a comprehension (for, if). envs/
// holds the values an operator tunes; what the stack derives from them is
// the derive/ package, which envs/ embeds. overlay replaces files as in
// LoadWith. The generated index (environments.cue) is values too.
func ValuesOnly(root string, overlay map[string][]byte) (Problems, error) {
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	var ps Problems
	dir := filepath.Join(root, EnvsDir)
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(p) != ".cue" {
			return err
		}
		src, ok := overlay[p]
		if !ok {
			if src, err = os.ReadFile(p); err != nil {
				return err
			}
		}
		f, err := parser.ParseFile(p, src, parser.ParseComments)
		if err != nil {
			return nil // the CUE load reports it, at its position
		}
		ps = append(ps, logicIn(root, f)...)
		return nil
	})
	return ps, err
}

// logicIn is the logic of one envs/ file, each at its position.
func logicIn(root string, f *ast.File) Problems {
	var ps Problems
	add := func(n ast.Node, what string) {
		ps = append(ps, Problem{Pos: RelPos(root, n.Pos()), Scope: "values only", Msg: fmt.Sprintf(
			"%s in %s: envs/ holds the values operators tune; what the stack derives from them belongs in derive/, which envs/ embeds",
			what, EnvsDir+"/")})
	}
	depth := 0
	ast.Walk(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.Comprehension:
			add(n, "a comprehension")
			return false
		case *ast.Field:
			name, _, _ := ast.LabelName(n.Label)
			switch {
			case strings.HasPrefix(name, "#"):
				add(n, "definition "+name)
				return false
			case depth == 0 && name == "outputs":
				add(n, "the field outputs")
				return false
			}
			depth++
		}
		return true
	}, func(n ast.Node) {
		if _, ok := n.(*ast.Field); ok {
			depth--
		}
	})
	return ps
}
