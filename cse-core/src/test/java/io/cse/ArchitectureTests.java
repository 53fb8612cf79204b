package io.cse;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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
		slices().assignedFrom(byPackage()).should().beFreeOfCycles().check(CORE);
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
		noClasses().should()
			.callMethod(String.class, "toLowerCase")
			.orShould()
			.callMethod(String.class, "toUpperCase")
			.because("the default locale turns \"I\" into a dotless i in Turkish: use Locale.ROOT")
			.check(CORE);
	}

	@Test
	void testClassesAreNamedTests() {
		JavaClasses tests = new ClassFileImporter().withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
			.importPackages("io.cse");
		methods().that()
			.areAnnotatedWith(Test.class)
			.should()
			.beDeclaredInClassesThat()
			.haveSimpleNameEndingWith("Tests")
			.check(tests);
	}

	/**
	 * One slice per package, the root package included (ArchUnit's own patterns only
	 * match sub-packages of a root).
	 * @return the assignment
	 */
	static SliceAssignment byPackage() {
		return new SliceAssignment() {

			@Override
			public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
				return javaClass.getPackageName().startsWith("io.cse") ? SliceIdentifier.of(javaClass.getPackageName())
						: SliceIdentifier.ignore();
			}

			@Override
			public String getDescription() {
				return "packages of io.cse";
			}

		};
	}

}
