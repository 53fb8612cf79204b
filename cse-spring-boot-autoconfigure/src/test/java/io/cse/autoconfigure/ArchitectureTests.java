package io.cse.autoconfigure;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

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

	private static final JavaClasses TESTS = new ClassFileImporter()
		.withImportOption(ImportOption.Predefined.ONLY_INCLUDE_TESTS)
		.withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
		.importPackages("io.cse");

	@Test
	void packagesHaveNoCycles() {
		slices().assignedFrom(byPackage()).should().beFreeOfCycles().check(MAIN);
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
		noClasses().should()
			.callMethod(String.class, "toLowerCase")
			.orShould()
			.callMethod(String.class, "toUpperCase")
			.because("the default locale turns \"I\" into a dotless i in Turkish: use Locale.ROOT")
			.check(MAIN);
	}

	@Test
	void testClassesAreNamedTests() {
		methods().that()
			.areAnnotatedWith(Test.class)
			.should(ArchCondition.from(DescribedPredicate.describe("be declared in a class named *Tests (or nested in one)",
					(method) -> topLevel(method.getOwner()).getSimpleName().endsWith("Tests"))))
			.check(TESTS);
	}

	private static JavaClass topLevel(JavaClass javaClass) {
		JavaClass outer = javaClass;
		while (outer.getEnclosingClass().isPresent()) {
			outer = outer.getEnclosingClass().get();
		}
		return outer;
	}

	private static SliceAssignment byPackage() {
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
