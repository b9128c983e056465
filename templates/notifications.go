package templates

import "strconv"

import "pareto/internal/notify"

// bellCount is the bell's badge: the count, or "99+" past notify.CountCap.
func bellCount(n int) string {
	if n > notify.CountCap {
		return strconv.Itoa(notify.CountCap) + "+"
	}
	return strconv.Itoa(n)
}

// bellLabel is the bell link's accessible name.
func bellLabel(n int) string {
	switch {
	case n == 0:
		return "Notifications, none unread"
	case n == 1:
		return "Notifications, 1 unread"
	}
	return "Notifications, " + bellCount(n) + " unread"
}
