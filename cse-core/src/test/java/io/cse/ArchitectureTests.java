package io.cse;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

/**
 * The rules of docs/architecture.md for {@code cse-core}: what the module may import, and
 * which way its packages depend on each other.
 */
class ArchitectureTests {

	private static final JavaClasses CORE = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
		.importPackages("io.cse");

	@Test
	void coreNeverImportsSpringOrAnyOtherFramework() {
		noClasses().should()
			.dependOnClassesThat()
			.resideInAnyPackage("org.springframework..", "jakarta..", "javax.servlet..", "com.fasterxml..",
					"io.micrometer..", "org.apache.commons.logging..", "org.slf4j..")
			.because("cse-core is loaded by any service on Java 8 or later, whatever it is built with")
			.check(CORE);
	}

	@Test
	void packagesHaveNoCycles() {
		ArchitectureRules.NO_PACKAGE_CYCLES.check(CORE);
	}

	@Test
	void theCoordinatorDoesNotKnowHowSnapshotsAreTaken() {
		noClasses().that()
			.resideInAPackage("io.cse")
			.should()
			.dependOnClassesThat()
			.resideInAnyPackage("io.cse.snapshot..", "io.cse.criu..", "io.cse.crac..")
			.because("a snapshot's steps belong to the SnapshotPlan that io.cse.snapshot hands the coordinator")
			.check(CORE);
	}

	@Test
	void caseConversionsSayTheirLocale() {
		ArchitectureRules.CASE_CONVERSIONS_SAY_THEIR_LOCALE.check(CORE);
	}

	@Test
	void testClassesAreNamedTests() {
		ArchitectureRules.TEST_CLASSES_ARE_NAMED_TESTS.check(new ClassFileImporter()
			.withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
			.importPackages("io.cse"));
	}

}
