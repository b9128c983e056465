package templates

import "context"
import "fmt"
import "io"
import "testing"

import "github.com/google/uuid"

import "pareto/internal/health"
import "pareto/internal/scoring"

// BenchmarkHotPath renders the shortlist's 50 rows and a 2×2 of 100 dots
// (the bench tenant's page: 50 rows, about 100 key accounts) to a
// discarding writer: the CPU and allocations of the hand-written parts.
func BenchmarkHotPath(b *testing.B) {
	ctx := context.Background()
	rows := make([]scoring.ShortRow, 50)
	for i := range rows {
		rows[i] = scoring.ShortRow{Rank: i + 1, AccountID: uuid.New(), Name: fmt.Sprintf("Scale %06d", i), KeyStatus: "candidate",
			Revenue: int64(i) * 123456789, RevenuePotential: 730658500, Headroom: 730658500 - int64(i)*123456789,
			Score: scoring.Score{Score10: 99 - i, Scored: 6, Total: 6, Complete: true}}
	}
	points := make([]health.MatrixPoint, 100)
	for i := range points {
		s, h := 10+i*9%90, i*7%100
		points[i] = health.MatrixPoint{AccountID: uuid.New(), Name: fmt.Sprintf("Scale %06d", i*35), KeyStatus: "key",
			Score10: &s, Health: &h, Complete: i%3 != 0, Quadrant: health.Repair}
	}
	chart := NewMatrixChart(ctx, points, health.Settings{MatrixScore10: 65, MatrixHealth: 60})
	b.ReportAllocs()
	for b.Loop() {
		if err := shortlistRows(rows).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
		if err := matrixDots(chart.Dots).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkWhatIfPanel renders the shortlist's what-if panel for six
// criteria (the bench tenant's), as a page view has it: no typed values,
// no errors.
func BenchmarkWhatIfPanel(b *testing.B) {
	ctx := context.Background()
	f := WhatIfForm{}
	for i := range 6 {
		f.Weights = append(f.Weights, scoring.Weight{CriterionID: uuid.New(), Name: fmt.Sprintf("Criterion %d", i), Rank: i + 1, BPS: 1000 + i*333})
	}
	b.ReportAllocs()
	for b.Loop() {
		if err := whatIfPanel(f).Render(ctx, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}
