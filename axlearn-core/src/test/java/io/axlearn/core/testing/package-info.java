/**
 * The test kit for code built on axlearn-jvm, shipped as {@code axlearn-core}'s test-jar ({@code
 * io.axlearn:axlearn-core:<version>:test-jar}, {@code <type>test-jar</type>}, test scope; it needs
 * JUnit 5 on the test class path).
 *
 * <ul>
 *   <li>{@link io.axlearn.core.testing.TorchGolden}: read a PyTorch-generated safetensors golden
 *       (parameters, inputs, outputs, gradients, metadata) and compare tensors with tolerances;
 *   <li>{@link io.axlearn.core.testing.GradCheck}: run a forward pass under autograd and compare
 *       the output and every input and parameter gradient with the golden;
 *   <li>{@link io.axlearn.core.testing.Goldens}: text goldens (config and parameter-spec dumps)
 *       rewritten with {@code -Dgolden.update=true};
 *   <li>{@link io.axlearn.core.testing.LeakCheck}: resident and malloc'd memory, live arrays;
 *   <li>{@link io.axlearn.core.testing.DocSnippets}: code shown in docs is a compiled test source.
 * </ul>
 *
 * <p>The public methods of these classes are a stable API: they change only with a note in the
 * release and a deprecation first. Golden files are written by Python scripts using {@code
 * tools/golden/golden_common.py}; {@code docs/layers.md} shows a user-defined layer checked this
 * way.
 */
package io.axlearn.core.testing;
