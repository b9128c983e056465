package webhook_test

import "os"
import "strings"
import "testing"

// TestDocsExample: docs/integrations.md shows the verification example
// exactly as the file the tests compile and run.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../../docs/integrations.md")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("../../docs/examples/webhookverify/verify.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```go\n"+string(src)+"```\n") {
		t.Fatal("docs/integrations.md does not show docs/examples/webhookverify/verify.go as it is: copy the file into its ```go block")
	}
}
