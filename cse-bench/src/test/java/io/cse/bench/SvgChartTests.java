package io.cse.bench;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import io.cse.bench.SvgChart.Bar;
import io.cse.bench.SvgChart.Group;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.offset;

/**
 * The chart is well-formed SVG with one bar per way, whose lengths follow the medians on a
 * logarithmic axis.
 */
class SvgChartTests {

	private static final List<Bar> BARS = List.of(
			new Bar("cold start", Group.COLD, Stats.of(List.of(5000.0, 5200.0, 6000.0))),
			new Bar("thaw", Group.FREEZE, Stats.of(List.of(10.0, 12.0, 20.0))),
			new Bar("restore", Group.SNAPSHOT, Stats.of(List.of(300.0, 330.0, 400.0))),
			new Bar("burst <all> & \"more\"", Group.BURST, Stats.of(List.of(900.0, 1000.0, 1100.0))));

	@Test
	void drawsOneBarPerWayInOrderWithItsGroupsColour() throws Exception {
		Document svg = parse(SvgChart.render("title", "caption", BARS));
		List<Element> bars = elements(svg, "rect", "bar");
		assertThat(bars).hasSize(4);
		assertThat(bars).extracting((bar) -> bar.getAttribute("fill"))
			.containsExactly(Group.COLD.colour, Group.FREEZE.colour, Group.SNAPSHOT.colour, Group.BURST.colour);
		List<Double> ys = bars.stream().map((bar) -> Double.parseDouble(bar.getAttribute("y"))).toList();
		assertThat(ys).isSorted();
		assertThat(elements(svg, "path", "range")).hasSize(4);
	}

	@Test
	void barLengthsFollowTheLogarithmOfTheMedians() throws Exception {
		List<Double> widths = elements(parse(SvgChart.render("t", "c", BARS)), "rect", "bar").stream()
			.map((bar) -> Double.parseDouble(bar.getAttribute("width")))
			.toList();
		// cold 5200 > burst 1000 > restore 330 > thaw 12
		assertThat(widths.get(0)).isGreaterThan(widths.get(3));
		assertThat(widths.get(3)).isGreaterThan(widths.get(2));
		assertThat(widths.get(2)).isGreaterThan(widths.get(1));
		// one decade is the same length wherever it is: 12 -> 120 as 330 -> 3300
		double perDecade = (widths.get(0) - widths.get(1)) / Math.log10(5200.0 / 12.0);
		assertThat(widths.get(2) - widths.get(1)).isCloseTo(perDecade * Math.log10(330.0 / 12.0),
				offset(0.5));
	}

	@Test
	void gridCoversEveryValueOnWholeDecades() throws Exception {
		Document svg = parse(SvgChart.render("t", "c", BARS));
		List<String> ticks = new ArrayList<>();
		NodeList texts = svg.getElementsByTagName("text");
		for (int i = 0; i < texts.getLength(); i++) {
			ticks.add(texts.item(i).getTextContent());
		}
		// 10 ms (the smallest minimum) to 10 s (above the largest maximum)
		assertThat(ticks).contains("10 ms", "100 ms", "1 s", "10 s").doesNotContain("1 ms", "100 s");
		assertThat(elements(svg, "line", "grid")).hasSize(4);
	}

	@Test
	void labelsAreEscaped() throws Exception {
		String svg = SvgChart.render("a < b", "c & d", BARS);
		assertThat(svg).contains("burst &lt;all&gt; &amp; &quot;more&quot;", "a &lt; b", "c &amp; d");
		assertThat(parse(svg).getDocumentElement().getTagName()).isEqualTo("svg");
	}

	@Test
	void aLongCaptionIsWrappedAtSpacesAndTheChartGrowsToHoldIt() throws Exception {
		assertThat(SvgChart.wrap("aaa bbb ccc ddd", 7)).containsExactly("aaa bbb", "ccc ddd");
		assertThat(SvgChart.wrap("short", 150)).containsExactly("short");
		String caption = "word ".repeat(100).strip();
		Document wrapped = parse(SvgChart.render("t", caption, BARS));
		Document single = parse(SvgChart.render("t", "word", BARS));
		int extraLines = SvgChart.wrap(caption, 150).size() - 1;
		assertThat(extraLines).isPositive();
		assertThat(Integer.parseInt(wrapped.getDocumentElement().getAttribute("height")))
			.isEqualTo(Integer.parseInt(single.getDocumentElement().getAttribute("height")) + 14 * extraLines);
	}

	@Test
	void refusesNoBarsAndTimesALogarithmCannotShow() {
		assertThatIllegalArgumentException().isThrownBy(() -> SvgChart.render("t", "c", List.of()))
			.withMessageContaining("at least one bar");
		assertThatIllegalArgumentException()
			.isThrownBy(() -> new Bar("instant", Group.FREEZE, Stats.of(List.of(0.0, 1.0))))
			.withMessageContaining("positive times");
	}

	private static Document parse(String svg) throws Exception {
		return DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
	}

	private static List<Element> elements(Document svg, String tag, String className) {
		List<Element> found = new ArrayList<>();
		NodeList nodes = svg.getElementsByTagName(tag);
		for (int i = 0; i < nodes.getLength(); i++) {
			Element element = (Element) nodes.item(i);
			if (className.equals(element.getAttribute("class"))) {
				found.add(element);
			}
		}
		return found;
	}

}
