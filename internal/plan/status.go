package plan

import "time"

// A goal's status is derived, never typed: from its progress (see
// Progress) against the progress a straight line from the plan's start to
// the goal's due date expects by today. docs/metrics.md gives the rule
// with worked examples; the tests use the same examples.

// DefaultTolerance is how many points of progress a goal may lag the
// linear expectation and still be on track, until an admin sets another.
const DefaultTolerance = 10

// MinTolerance and MaxTolerance bound the tenant's setting.
const (
	MinTolerance = 1
	MaxTolerance = 50
)

// ExpectedProgress is the progress, in percent 0..100, a goal should have
// made by today if it moved in a straight line from start (its plan's
// first day, 0 %) to due (its due date, 100 %): the days elapsed since
// start ÷ the days from start to due. Before start it is 0, from the due
// date on 100.
func ExpectedProgress(start, due, today time.Time) float64 {
	start, due, today = dateOf(start), dateOf(due), dateOf(today)
	switch {
	case !today.After(start) && today.Before(due):
		return 0
	case !today.Before(due):
		return 100
	}
	return today.Sub(start).Hours() / due.Sub(start).Hours() * 100
}

// DeriveStatus is a goal's status on today:
//
//   - achieved: progress reached 100 % (whatever the date);
//   - overdue: the due date has passed and it has not;
//   - on track: progress lags the expectation (ExpectedProgress) by at
//     most tolerance points;
//   - at risk: it lags by more, but at most twice the tolerance;
//   - off track: it lags by more than twice the tolerance.
//
// A goal with no measured value yet (known false) counts as 0 % progress:
// early in its period that is on track, later it is not.
func DeriveStatus(progress float64, known bool, start, due, today time.Time, tolerance int) GoalStatus {
	if !known {
		progress = 0
	}
	if tolerance < MinTolerance || tolerance > MaxTolerance {
		tolerance = DefaultTolerance
	}
	switch {
	case progress >= 100:
		return GoalAchieved
	case dateOf(today).After(dateOf(due)):
		return GoalOverdue
	}
	lag := ExpectedProgress(start, due, today) - progress
	switch {
	case lag <= float64(tolerance):
		return GoalOnTrack
	case lag <= 2*float64(tolerance):
		return GoalAtRisk
	}
	return GoalOffTrack
}
