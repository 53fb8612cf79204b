package io.cse.autoconfigure;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import io.cse.ArchitectureRules;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules of docs/architecture.md for the starter: its packages (with those of
 * {@code cse-core} it uses) have no cycles, only the auto-configuration package wires them
 * together, case conversions say their locale, and test classes are named {@code *Tests}.
 */
class ArchitectureTests {

	private static final JavaClasses MAIN = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
		.importPackages("io.cse");

	@Test
	void packagesHaveNoCycles() {
		ArchitectureRules.NO_PACKAGE_CYCLES.check(MAIN);
	}

	@Test
	void onlyTheAutoConfigurationWiresThePackagesTogether() {
		noClasses().that()
			.resideOutsideOfPackage("io.cse.autoconfigure")
			.should()
			.dependOnClassesThat()
			.resideInAPackage("io.cse.autoconfigure")
			.because("participants, the endpoint and the web filters are usable without the auto-configuration")
			.check(MAIN);
	}

	@Test
	void caseConversionsSayTheirLocale() {
		ArchitectureRules.CASE_CONVERSIONS_SAY_THEIR_LOCALE.check(MAIN);
	}

	@Test
	void testClassesAreNamedTests() {
		ArchitectureRules.TEST_CLASSES_ARE_NAMED_TESTS.check(new ClassFileImporter()
			.withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
			.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
			.importPackages("io.cse"));
	}

}
