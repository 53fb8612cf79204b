package io.cse;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class CallerTextTests {

	@Test
	void shortTextIsRepeatedWhole() {
		assertThat(CallerText.echoed("before-upgrade")).isEqualTo("before-upgrade");
	}

	@Test
	void longTextIsCutAndSaysHowLongItWas() {
		String tenMebibytes = "a".repeat(10 * 1024 * 1024);
		assertThat(CallerText.echoed(tenMebibytes)).isEqualTo("a".repeat(61) + "... (10485760 characters)");
	}

	@Test
	void lineBreaksCannotStartAnotherLogLine() {
		assertThat(CallerText.echoed("x\nINFO forged")).isEqualTo("x\\u000aINFO forged");
	}

}
