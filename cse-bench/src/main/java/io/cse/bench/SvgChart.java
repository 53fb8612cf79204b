package io.cse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A horizontal bar chart of times, as an SVG document: one bar per way to get a serving
 * instance, its length the median, a line over it from the minimum to the maximum. The
 * time axis is logarithmic: a thaw of milliseconds and a cold start of seconds differ by
 * three orders of magnitude, and on a linear axis the fast ways would not show.
 */
final class SvgChart {

	private static final int WIDTH = 960;

	private static final int LABEL_WIDTH = 360;

	private static final int PLOT_WIDTH = 500;

	private static final int ROW_HEIGHT = 30;

	private static final int TOP = 64;

	private static final int BOTTOM = 64;

	// about what fits in the chart's width at the caption's 11 px
	private static final int CAPTION_CHARACTERS = 150;

	private SvgChart() {
	}

	/**
	 * One bar.
	 *
	 * @param label what it measures
	 * @param group what kind of way it is, which sets its colour
	 * @param millis its measurements' statistics, in milliseconds
	 */
	record Bar(String label, Group group, Stats millis) {

		Bar {
			if (millis.min() <= 0) {
				throw new IllegalArgumentException("'" + label + "' has a time of " + millis.min()
						+ " ms: a logarithmic axis needs positive times");
			}
		}

	}

	/**
	 * The kinds of ways to get a serving instance, each with its colour.
	 */
	enum Group {

		COLD("start from scratch", "#9e9e9e"), FREEZE("thaw a frozen instance", "#1e88e5"),
		SNAPSHOT("restore a snapshot", "#43a047"), BURST("burst under load", "#fb8c00");

		final String legend;

		final String colour;

		Group(String legend, String colour) {
			this.legend = legend;
			this.colour = colour;
		}

	}

	/**
	 * Draw the chart.
	 * @param title the chart's title
	 * @param caption a line under the axis: where and when it was measured
	 * @param bars the bars, top to bottom
	 * @return the SVG document
	 */
	static String render(String title, String caption, List<Bar> bars) {
		if (bars.isEmpty()) {
			throw new IllegalArgumentException("A chart needs at least one bar");
		}
		double smallest = bars.stream().mapToDouble((bar) -> bar.millis().min()).min().orElseThrow();
		double largest = bars.stream().mapToDouble((bar) -> bar.millis().max()).max().orElseThrow();
		int fromDecade = (int) Math.floor(Math.log10(smallest));
		int toDecade = Math.max(fromDecade + 1, (int) Math.ceil(Math.log10(largest)));
		Axis axis = new Axis(fromDecade, toDecade);
		int plotBottom = TOP + bars.size() * ROW_HEIGHT;
		List<String> captionLines = wrap(caption, CAPTION_CHARACTERS);
		int height = plotBottom + BOTTOM + 14 * (captionLines.size() - 1);
		StringBuilder svg = new StringBuilder();
		svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
				+ "viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">%n", WIDTH, height, WIDTH, height));
		svg.append(String.format(Locale.ROOT, "<title>%s</title>%n", escape(title)));
		svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"#ffffff\"/>%n", WIDTH, height));
		svg.append(String.format(Locale.ROOT,
				"<text x=\"%d\" y=\"26\" font-size=\"16\" font-weight=\"bold\">%s</text>%n", 12, escape(title)));
		legend(svg);
		for (int decade = fromDecade; decade <= toDecade; decade++) {
			double x = axis.x(Math.pow(10, decade));
			svg.append(String.format(Locale.ROOT, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" "
					+ "stroke=\"#dddddd\"/>%n", x, TOP - 6, x, plotBottom));
			svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%s</text>%n", x,
					plotBottom + 18, escape(tick(decade))));
		}
		for (int i = 0; i < bars.size(); i++) {
			Bar bar = bars.get(i);
			int y = TOP + i * ROW_HEIGHT;
			double median = axis.x(bar.millis().median());
			double min = axis.x(bar.millis().min());
			double max = axis.x(bar.millis().max());
			double middle = y + ROW_HEIGHT / 2.0;
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>%n",
					LABEL_WIDTH - 10, middle + 4, escape(bar.label())));
			svg.append(String.format(Locale.ROOT, "<rect class=\"bar\" x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
					+ "fill=\"%s\"><title>%s: median %s, min %s, max %s, n = %d</title></rect>%n", LABEL_WIDTH, y + 6,
					median - LABEL_WIDTH, ROW_HEIGHT - 12, bar.group().colour, escape(bar.label()),
					Stats.ms(bar.millis().median()), Stats.ms(bar.millis().min()), Stats.ms(bar.millis().max()),
					bar.millis().count()));
			svg.append(String.format(Locale.ROOT, "<path class=\"range\" d=\"M%.1f %.1fH%.1fM%.1f %.1fV%.1fM%.1f %.1fV%.1f\" "
					+ "stroke=\"#333333\" stroke-width=\"1.5\" fill=\"none\"/>%n", min, middle, max, min, middle - 5,
					middle + 5, max, middle - 5, middle + 5));
			svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\">%s</text>%n", Math.max(median, max) + 8,
					middle + 4, escape(Stats.ms(bar.millis().median()))));
		}
		svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%s</text>%n",
				LABEL_WIDTH + PLOT_WIDTH / 2, plotBottom + 38,
				escape("time to first HTTP 200 (logarithmic): bar = median, line = min to max")));
		for (int i = 0; i < captionLines.size(); i++) {
			svg.append(String.format(Locale.ROOT,
					"<text x=\"12\" y=\"%d\" font-size=\"11\" fill=\"#555555\">%s</text>%n", plotBottom + 56 + 14 * i,
					escape(captionLines.get(i))));
		}
		svg.append("</svg>\n");
		return svg.toString();
	}

	/**
	 * Break a text into lines of at most about {@code width} characters, at spaces: SVG 1.1
	 * text does not wrap by itself.
	 */
	static List<String> wrap(String text, int width) {
		List<String> lines = new ArrayList<>();
		StringBuilder line = new StringBuilder();
		for (String word : text.split(" ")) {
			if (line.length() > 0 && line.length() + 1 + word.length() > width) {
				lines.add(line.toString());
				line.setLength(0);
			}
			if (line.length() > 0) {
				line.append(' ');
			}
			line.append(word);
		}
		lines.add(line.toString());
		return lines;
	}

	private static void legend(StringBuilder svg) {
		int x = 12;
		for (Group group : Group.values()) {
			svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"38\" width=\"12\" height=\"12\" fill=\"%s\"/>%n", x,
					group.colour));
			svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"49\">%s</text>%n", x + 17, escape(group.legend)));
			x += 30 + 8 * group.legend.length();
		}
	}

	private static String tick(int decade) {
		double millis = Math.pow(10, decade);
		if (millis >= 1000) {
			return String.format(Locale.ROOT, "%.0f s", millis / 1000);
		}
		return (millis >= 1) ? String.format(Locale.ROOT, "%.0f ms", millis)
				: String.format(Locale.ROOT, "%s ms", Double.toString(millis));
	}

	static String escape(String text) {
		return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
	}

	/**
	 * Where a time falls on the plot, from the left edge of the bars.
	 */
	private record Axis(int fromDecade, int toDecade) {

		double x(double millis) {
			double decades = Math.log10(millis) - this.fromDecade;
			return LABEL_WIDTH + PLOT_WIDTH * decades / (this.toDecade - this.fromDecade);
		}

	}

}
