package io.axlearn.vision.serving;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.vision.classifier.ImageClassifier;

/**
 * A DJL {@link ai.djl.nn.Block} that runs one of our {@link ImageClassifier}s in evaluation mode:
 * input images {@code [N, C, H, W]} float32, output logits {@code [N, numClasses]}. It has no DJL
 * parameters of its own (our parameter tree is held as it is), so a DJL model loads it with {@code
 * hasParameter=false}; {@link DjlExport} writes such a model directory.
 */
public final class ImageClassifierBlock extends AbstractBlock {
    private final ImageClassifier model;
    private final ParamTree params;

    /**
     * Wraps {@code model} with its parameters.
     *
     * @param model the classifier
     * @param params its parameters (kept, not copied; they live as long as their manager)
     */
    public ImageClassifierBlock(ImageClassifier model, ParamTree params) {
        this.model = model;
        this.params = params;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> options) {
        var images = inputs.head();
        if (images.getDataType() != DataType.FLOAT32) {
            images = images.toType(DataType.FLOAT32, false);
        }
        return new NDList(model.logits(ForwardContext.eval(params, images.getManager()), images));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), model.getConfig().numClasses())};
    }
}
