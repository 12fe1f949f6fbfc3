package cases

// copyCases checks whole-value copies and copy between slices.
func copyCases() []gradCase {
	wholeArgs := func(x []float64) (Point, *Point, []Point, Body, Nest) {
		return Point{X: x[0], Y: x[1]}, &Point{X: x[2], Y: x[3]},
			[]Point{{X: x[4], Y: x[5]}, {X: x[6], Y: x[7]}},
			Body{Pos: [2]float64{x[8], x[9]}, Mass: x[10], Tag: 3},
			Nest{A: Point{X: x[11], Y: x[12]}, V: [3]float64{x[13], x[14], x[15]}}
	}
	return []gradCase{
		{name: "SumOfRows",
			f: func(x []float64) float64 { return SumOfRows(x[:3], manyRows(x[3:])) },
			grad: func(x []float64) (float64, []float64) {
				dxs, drows := make([]float64, 3), make([][3]float64, 70)
				v := SumOfRowsGrad(x[:3], manyRows(x[3:]), dxs, drows)
				g := append(dxs, 0, 0, 0)
				for _, d := range drows {
					g[3] += d[0]
					g[4] += d[1]
					g[5] += d[2]
				}
				return v, g
			},
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return SumOfRowsJVP(x[:3], manyRows(x[3:]), v[:3], manyTangentRows(v[3:]))
			}),
			at: pts(p(0.3, -1.2, 0.8, 0.7, -0.4, 1.1), p(1.5, 0.25, -0.5, 1.8, 0.9, -0.6))},
		{name: "BodiesEnergy",
			f: func(x []float64) float64 { return BodiesEnergy(bodies(x), x[6]) },
			grad: func(x []float64) (float64, []float64) {
				d := make([]Body, 2)
				v, dg := BodiesEnergyGrad(bodies(x), x[6], d)
				return v, append(flatBodies(d), dg)
			},
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return BodiesEnergyJVP(bodies(x), x[6], bodies(v), v[6]) }),
			at:  pts(p(0.3, -1.2, 0.8, 0.7, -0.4, 1.1, 0.9), p(1.5, 0.25, -0.5, 1.8, 0.9, 2, -0.6))},
		{name: "WholeCopies",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				p, pp, pts, c, pr := wholeArgs(x)
				tp, tpp, tpts, tc, tpr := wholeArgs(v)
				return WholeCopiesJVP(p, pp, pts, c, pr, tp, tpp, tpts, tc, tpr)
			}),
			f: func(x []float64) float64 { return WholeCopies(wholeArgs(x)) },
			grad: func(x []float64) (float64, []float64) {
				p, pp, pts, c, pr := wholeArgs(x)
				dpp, dpts := &Point{}, make([]Point, 2)
				v, dp, dc, dpr := WholeCopiesGrad(p, pp, pts, c, pr, dpp, dpts)
				return v, []float64{dp.X, dp.Y, dpp.X, dpp.Y, dpts[0].X, dpts[0].Y, dpts[1].X, dpts[1].Y,
					dc.Pos[0], dc.Pos[1], dc.Mass, dpr.A.X, dpr.A.Y, dpr.V[0], dpr.V[1], dpr.V[2]}
			},
			at: pts(p(0.3, -1.2, 2, 0.7, 1.1, -0.4, 0.9, 1.3, 0.2, -0.8, 1.7, 0.6, -0.3, 1.4, 0.5, -1.1),
				p(1.5, 0.25, -0.5, 1.8, -0.7, 0.6, 0.35, -0.9, 1.2, 0.4, -0.6, 0.8, 1.9, -0.2, 0.7, 0.45))},
		{name: "DerefCopies",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				pp := &Point{X: x[2], Y: x[3]}
				tp := &Point{X: v[2], Y: v[3]}
				return DerefCopiesJVP(&Point{X: x[0], Y: x[1]}, &pp, &Point{X: v[0], Y: v[1]}, &tp)
			}),
			f: func(x []float64) float64 {
				pp := &Point{X: x[2], Y: x[3]}
				return DerefCopies(&Point{X: x[0], Y: x[1]}, &pp)
			},
			grad: func(x []float64) (float64, []float64) {
				pp := &Point{X: x[2], Y: x[3]}
				d1, d2 := &Point{}, &Point{}
				v := DerefCopiesGrad(&Point{X: x[0], Y: x[1]}, &pp, d1, &d2)
				return v, []float64{d1.X, d1.Y, d2.X, d2.Y}
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "SlicePointer",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				p, dp := x[:3], v[:3]
				return SlicePointerJVP(&p, x[3], &dp, v[3])
			}),
			f: func(x []float64) float64 { p := x[:3]; return SlicePointer(&p, x[3]) },
			grad: func(x []float64) (float64, []float64) {
				p, dp := x[:3], make([]float64, 3)
				v, dk := SlicePointerGrad(&p, x[3], &dp)
				return v, append(dp, dk)
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "SmoothEnd",
			jvp: flatJVP(SmoothEndJVP),
			f:   func(x []float64) float64 { return SmoothEnd(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return SmoothEndGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "RowByRow",
			jvp: flatJVP(RowByRowJVP),
			f:   func(x []float64) float64 { return RowByRow(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return RowByRowGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "RangeArrayWrites",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return RangeArrayWritesJVP([3]float64{x[0], x[1], x[2]}, x[3], [3]float64{v[0], v[1], v[2]}, v[3])
			}),
			f: func(x []float64) float64 { return RangeArrayWrites([3]float64{x[0], x[1], x[2]}, x[3]) },
			grad: func(x []float64) (float64, []float64) {
				v, da, dx := RangeArrayWritesGrad([3]float64{x[0], x[1], x[2]}, x[3])
				return v, []float64{da[0], da[1], da[2], dx}
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "AnonStructs",
			jvp: flatJVP(AnonStructsJVP),
			f:   func(x []float64) float64 { return AnonStructs(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return AnonStructsGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "LiteralBuffers",
			jvp: flatJVP(LiteralBuffersJVP),
			f:   func(x []float64) float64 { return LiteralBuffers(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return LiteralBuffersGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "KeyedLiterals",
			jvp: flatJVP(KeyedLiteralsJVP),
			f:   func(x []float64) float64 { return KeyedLiterals(x) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, len(x))
				return KeyedLiteralsGrad(x, g), g
			},
			at: pts(p(0.3, -1.2, 2), p(1.5, 0.25, -0.5))},
		{name: "CopyArrays",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return CopyArraysJVP([3]float64{x[0], x[1], x[2]}, x[3], [3]float64{v[0], v[1], v[2]}, v[3])
			}),
			f: func(x []float64) float64 { return CopyArrays([3]float64{x[0], x[1], x[2]}, x[3]) },
			grad: func(x []float64) (float64, []float64) {
				v, da, dt := CopyArraysGrad([3]float64{x[0], x[1], x[2]}, x[3])
				return v, []float64{da[0], da[1], da[2], dt}
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "TypedVars", f: TypedVars, grad: TypedVarsGrad, jvp: TypedVarsJVP, at: pts(p(0.3), p(-1.7))},
		{name: "CopyLoop",
			jvp: flatJVP(func(x, v []float64) (float64, float64) {
				return CopyLoopJVP(Point{X: x[0], Y: x[1]}, 3, Point{X: v[0], Y: v[1]})
			}),
			f: func(x []float64) float64 { return CopyLoop(Point{X: x[0], Y: x[1]}, 3) },
			grad: func(x []float64) (float64, []float64) {
				v, dp := CopyLoopGrad(Point{X: x[0], Y: x[1]}, 3)
				return v, []float64{dp.X, dp.Y}
			},
			at: pts(p(0.3, -1.2), p(0.8, 0.5))},
		{name: "CopySlices",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return CopySlicesJVP(x[:3], x[3], v[:3], v[3]) }),
			f:   func(x []float64) float64 { return CopySlices(x[:3], x[3]) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 3)
				v, dk := CopySlicesGrad(x[:3], x[3], g)
				return v, append(g, dk)
			},
			at: pts(p(0.3, -1.2, 2, 0.7), p(1.5, 0.25, -0.5, 1.8))},
		{name: "CopyStep",
			jvp: flatJVP(func(x, v []float64) (float64, float64) { return CopyStepJVP(x[:3], x[3], 4, v[:3], v[3]) }),
			f:   func(x []float64) float64 { return CopyStep(x[:3], x[3], 4) },
			grad: func(x []float64) (float64, []float64) {
				g := make([]float64, 3)
				v, dh := CopyStepGrad(x[:3], x[3], 4, g)
				return v, append(g, dh)
			},
			at: pts(p(0.3, -1.2, 2, 0.1), p(1.5, 0.25, -0.5, 0.2))},
	}
}

// bodies are two bodies from x[:6], with tags of their own.
func bodies(x []float64) []Body {
	return []Body{{Pos: [2]float64{x[0], x[1]}, Mass: x[2], Tag: 2}, {Pos: [2]float64{x[3], x[4]}, Mass: x[5], Tag: -1}}
}

// flatBodies lists the float fields of bs, as bodies reads them.
func flatBodies(bs []Body) []float64 {
	var out []float64
	for _, b := range bs {
		out = append(out, b.Pos[0], b.Pos[1], b.Mass)
	}
	return out
}

// manyRows are 70 rows from three values (more than the 64 a stack array
// holds), each shifted by its index.
func manyRows(x []float64) [][3]float64 {
	rows := make([][3]float64, 70)
	for j := range rows {
		rows[j] = [3]float64{x[0] + 0.01*float64(j), x[1], x[2] - 0.01*float64(j)}
	}
	return rows
}

// manyTangentRows are the tangents of manyRows's rows along v.
func manyTangentRows(v []float64) [][3]float64 {
	rows := make([][3]float64, 70)
	for j := range rows {
		rows[j] = [3]float64{v[0], v[1], v[2]}
	}
	return rows
}
