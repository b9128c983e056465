package enum

import "slices"
import "testing"

type colour string

var colours = Labels[colour]{{Value: "red", Label: "Red"}, {Value: "green", Label: "Green (go)"}}

func TestLabels(t *testing.T) {
	if got := colours.Values(); !slices.Equal(got, []colour{"red", "green"}) {
		t.Errorf("Values = %v, want [red green] (display order)", got)
	}
	if !colours.Valid("green") || colours.Valid("blue") || colours.Valid("") {
		t.Error("Valid: want green known, blue and empty unknown")
	}
	if got := colours.Label("green"); got != "Green (go)" {
		t.Errorf("Label(green) = %q", got)
	}
	if got := colours.Label("blue"); got != "blue" {
		t.Errorf("Label(blue) = %q, want the stored value", got)
	}
}
