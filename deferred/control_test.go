package deferred

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// Pausing a Deferred that waits on another, then unpausing it after the
// other fired, resumes it (defect 1: it used to stay stuck forever).
func TestUnpauseAfterChainedHandOver(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil }).AddCallback(add(1))
	outer.Pause()
	inner.Callback(5)
	if outer.PendingSteps() != 1 {
		t.Fatalf("PendingSteps() = %d while paused; want 1", outer.PendingSteps())
	}
	outer.Unpause()
	if got := resultOf(t, outer); got != 6 {
		t.Fatalf("result = %v; want 6", got)
	}
}

// The same through Cancel: the cancel reaches the inner Deferred, whose
// ErrCancelled is handed to the paused outer, which resumes on Unpause.
func TestCancelPausedChainedThenUnpause(t *testing.T) {
	inner := New(nil)
	outer := Succeed(1).AddCallback(func(any) (any, error) { return inner, nil })
	outer.Pause()
	outer.Cancel()
	if !inner.Called() {
		t.Fatalf("inner not fired; want the cancel forwarded to it")
	}
	outer.Unpause()
	failureOf(t, outer, ErrCancelled)
}

// Pause called inside a step does not stop the steps already in the chain
// (nor does Twisted's); it holds the steps added after the runner stopped.
func TestPauseInsideStepDoesNotStopQueuedSteps(t *testing.T) {
	d := New(nil)
	var ran []int
	d.AddCallback(func(v any) (any, error) { d.Pause(); ran = append(ran, 0); return v, nil })
	d.AddCallback(func(v any) (any, error) { ran = append(ran, 1); return v, nil })
	d.Callback(0)
	if len(ran) != 2 {
		t.Fatalf("ran %v after Pause inside step 0; want [0 1]: the queued step still runs", ran)
	}
	d.AddCallback(func(v any) (any, error) { ran = append(ran, 2); return v, nil })
	if len(ran) != 2 {
		t.Fatalf("ran %v; want the step added while paused to wait", ran)
	}
	d.Unpause()
	if len(ran) != 3 {
		t.Fatalf("ran %v after Unpause; want [0 1 2]", ran)
	}
}

// Pause's doc states what TestPauseInsideStepDoesNotStopQueuedSteps shows
// (defect 6: it claimed Pause inside a step stops the next step).
func TestPauseDocSaysQueuedStepsStillRun(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "control.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var doc string
	for _, decl := range f.Decls {
		fn, ok := decl.(*ast.FuncDecl)
		if ok && fn.Name.Name == "Pause" && fn.Recv != nil && fn.Doc != nil {
			doc = fn.Doc.Text()
		}
	}
	doc = strings.Join(strings.Fields(doc), " ")
	if !strings.Contains(doc, "inside a step") || !strings.Contains(doc, "steps already in the chain still run") {
		t.Fatalf("Pause doc = %q; want it to say that steps already in the chain still run when Pause is called inside a step", doc)
	}
}
