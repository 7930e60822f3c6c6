package dev.tokenmill.report;

import dev.tokenmill.measure.Ceilings;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.lines.SeriesLines;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * PNG charts of result files: a roofline per device (each record at its arithmetic intensity and achieved
 * FLOP/s, under the measured ceilings and the datasheet's), and prefill-vs-decode bars across devices, which
 * show at a glance that prefill is judged by FLOP/s and decode by bytes/s.
 */
public final class Charts {
    private static final int WIDTH = 900, HEIGHT = 600;

    static { System.setProperty("java.awt.headless", "true"); }

    private Charts() {}

    /** Writes every chart into {@code dir}; returns the file names written, in order. */
    public static List<String> write(Path dir, List<ResultFile> results, List<String> names) {
        List<String> written = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            for (int i = 0; i < results.size(); i++) {
                XYChart roofline = roofline(results.get(i), names.get(i));
                if (roofline == null) continue;
                String file = "roofline-" + results.get(i).device().id() + (countId(results, i) > 1 ? "-" + i : "") + ".png";
                BitmapEncoder.saveBitmap(roofline, dir.resolve(file).toString(), BitmapEncoder.BitmapFormat.PNG);
                written.add(file);
            }
            String bars = "prefill-vs-decode.png";
            BitmapEncoder.saveBitmap(List.of(bars(results, names, true), bars(results, names, false)), 1, 2,
                    dir.resolve(bars).toString(), BitmapEncoder.BitmapFormat.PNG);
            written.add(bars);
            return written;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write charts into " + dir + ": " + e.getMessage(), e);
        }
    }

    private static long countId(List<ResultFile> results, int i) {
        return results.stream().filter(r -> r.device().id().equals(results.get(i).device().id())).count();
    }

    /** Null when no record has FLOPs to place. */
    static XYChart roofline(ResultFile r, String name) {
        List<Record> placed = r.records().stream().filter(x -> x.tflops() != null && x.arithmeticIntensity() != null).toList();
        if (placed.isEmpty()) return null;
        XYChart c = new XYChartBuilder().width(WIDTH).height(HEIGHT).title("Roofline: " + name)
                .xAxisTitle("arithmetic intensity (FLOP/byte)").yAxisTitle("GFLOP/s").build();
        c.getStyler().setXAxisLogarithmic(true).setYAxisLogarithmic(true).setLegendPosition(Styler.LegendPosition.InsideNW);
        double lo = placed.stream().mapToDouble(Record::arithmeticIntensity).min().orElse(1) / 4;
        double hi = placed.stream().mapToDouble(Record::arithmeticIntensity).max().orElse(1) * 4;
        Ceilings ceil = r.ceilings();
        if (ceil != null) {
            ceil.peakTflops().forEach((dtype, tf) -> line(c, "measured " + dtype, ceil.copyGbs(), tf, lo, hi, SeriesLines.SOLID));
            if (ceil.datasheet() != null) {
                var d = ceil.datasheet();
                line(c, "datasheet bf16", d.memoryGbs(), d.bf16Tflops(), lo, hi, SeriesLines.DASH_DASH);
            }
        }
        for (String suite : List.of("prefill", "decode")) {
            List<Double> x = new ArrayList<>(), y = new ArrayList<>();
            for (Record rec : placed)
                if (rec.suite().equals(suite)) {
                    x.add(rec.arithmeticIntensity());
                    y.add(rec.tflops() * 1e3);
                }
            if (x.isEmpty()) continue;
            XYSeries s = c.addSeries(suite + " records", x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        return c;
    }

    /** The roofline {@code min(peak, AI·bandwidth)} from {@code lo} to {@code hi}, with its ridge point. */
    private static void line(XYChart c, String name, Double gbs, double tflops, double lo, double hi,
                             java.awt.BasicStroke stroke) {
        double peak = tflops * 1e3;
        List<Double> x = new ArrayList<>(), y = new ArrayList<>();
        if (gbs == null) {
            x.addAll(List.of(lo, hi));
            y.addAll(List.of(peak, peak));
        } else {
            double ridge = peak / gbs;
            for (double ai : new double[]{Math.min(lo, ridge / 10), ridge, Math.max(hi, ridge * 10)}) {
                x.add(ai);
                y.add(Math.min(peak, ai * gbs));
            }
        }
        XYSeries s = c.addSeries(name, x, y);
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineStyle(stroke);
    }

    /** Median GFLOP/s ({@code flops}) or GB/s of each suite's records, per device. */
    static CategoryChart bars(List<ResultFile> results, List<String> names, boolean flops) {
        CategoryChart c = new CategoryChartBuilder().width(WIDTH).height(HEIGHT)
                .title(flops ? "Compute: median GFLOP/s" : "Memory: median GB/s")
                .xAxisTitle("device").yAxisTitle(flops ? "GFLOP/s" : "GB/s").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        for (String suite : List.of("prefill", "decode")) {
            List<Double> y = new ArrayList<>();
            for (ResultFile r : results) {
                List<Double> v = r.records(suite).stream()
                        .map(x -> flops ? (x.tflops() == null ? null : x.tflops() * 1e3) : x.gbs())
                        .filter(java.util.Objects::nonNull).sorted().toList();
                y.add(v.isEmpty() ? 0.0 : v.get(v.size() / 2));
            }
            c.addSeries(suite, names, y);
        }
        return c;
    }
}
