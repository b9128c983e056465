package templates

import "strconv"

import "pareto/internal/account"

// RelMap is a laid-out reporting tree, drawn as SVG.
type RelMap struct {
	Width, Height int
	Nodes         []RelNode
	Edges         []RelEdge
}

// RelNode is one stakeholder's box.
type RelNode struct {
	X, Y, W, H int
	Name       string // truncated to fit
	FullName   string
	Title      string
	Role       account.BuyingRole
	Strength   account.Strength
}

// RelEdge is a reports-to line from a manager (top) to a report.
type RelEdge struct {
	X1, Y1, X2, Y2 int
}

// Path is the edge as an SVG path with a right-angled elbow.
func (e RelEdge) Path() string {
	mid := (e.Y1 + e.Y2) / 2
	return "M" + strconv.Itoa(e.X1) + " " + strconv.Itoa(e.Y1) + " V" + strconv.Itoa(mid) +
		" H" + strconv.Itoa(e.X2) + " V" + strconv.Itoa(e.Y2)
}

const (
	nodeW, nodeH = 188, 66
	gapX, gapY   = 16, 44
	pad          = 8
)

// LayoutRelMap places the tree: leaves side by side, each manager centred
// over their reports, one row per level.
func LayoutRelMap(roots []*account.MapNode) RelMap {
	var m RelMap
	next := 0 // next free leaf slot
	depth := 0
	// place lays out n and its reports and returns the index of n's box.
	var place func(n *account.MapNode, level int) int
	place = func(n *account.MapNode, level int) int {
		depth = max(depth, level)
		var kids []int
		var x int
		if len(n.Children) == 0 {
			x = pad + next*(nodeW+gapX)
			next++
		} else {
			for _, c := range n.Children {
				kids = append(kids, place(c, level+1))
			}
			x = (m.Nodes[kids[0]].X + m.Nodes[kids[len(kids)-1]].X) / 2
		}
		y := pad + level*(nodeH+gapY)
		m.Nodes = append(m.Nodes, RelNode{X: x, Y: y, W: nodeW, H: nodeH, Name: truncate(n.Name, 24), FullName: n.Name,
			Title: truncate(n.Title, 28), Role: n.Role, Strength: n.Strength})
		for _, k := range kids {
			c := m.Nodes[k]
			m.Edges = append(m.Edges, RelEdge{X1: x + nodeW/2, Y1: y + nodeH, X2: c.X + nodeW/2, Y2: c.Y})
		}
		return len(m.Nodes) - 1
	}
	for _, r := range roots {
		place(r, 0)
	}
	m.Width = max(pad*2+next*(nodeW+gapX)-gapX, nodeW+2*pad)
	m.Height = pad*2 + (depth+1)*(nodeH+gapY) - gapY
	return m
}

func itoaPx(n int) string { return strconv.Itoa(n) }
