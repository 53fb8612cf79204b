package io.cse;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.methods;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * The rules of docs/architecture.md that every module's architecture tests check.
 */
public final class ArchitectureRules {

	/** No two packages of {@code io.cse} import each other, directly or not. */
	public static final ArchRule NO_PACKAGE_CYCLES = slices().assignedFrom(byPackage()).should().beFreeOfCycles();

	/** Case conversions say their locale. */
	public static final ArchRule CASE_CONVERSIONS_SAY_THEIR_LOCALE = noClasses().should()
		.callMethod(String.class, "toLowerCase")
		.orShould()
		.callMethod(String.class, "toUpperCase")
		.because("the default locale turns \"I\" into a dotless i in Turkish: use Locale.ROOT");

	/** Test classes are named {@code *Tests}, or nested in one that is. */
	public static final ArchRule TEST_CLASSES_ARE_NAMED_TESTS = methods().that()
		.areAnnotatedWith(Test.class)
		.should(ArchCondition.from(DescribedPredicate.describe("be declared in a class named *Tests (or nested in one)",
				(method) -> topLevel(method.getOwner()).getSimpleName().endsWith("Tests"))));

	private ArchitectureRules() {
	}

	private static JavaClass topLevel(JavaClass javaClass) {
		JavaClass outer = javaClass;
		while (outer.getEnclosingClass().isPresent()) {
			outer = outer.getEnclosingClass().get();
		}
		return outer;
	}

	// One slice per package, the root package included (ArchUnit's own patterns only
	// match sub-packages of a root).
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
