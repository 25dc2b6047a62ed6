package io.axlearn.text.serving;

import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import io.axlearn.core.module.ForwardContext;
import io.axlearn.core.module.ParamTree;
import io.axlearn.text.bert.BertClassifier;

/**
 * A DJL {@link ai.djl.nn.Block} running one of our {@link BertClassifier}s in evaluation mode:
 * inputs token ids, token-type ids and mask {@code [B, T]}, output logits {@code [B, numClasses]}.
 * It has no DJL parameters of its own; {@link TextDjlExport} writes the model directory.
 */
public final class TextClassifierBlock extends AbstractBlock {
    private final BertClassifier model;
    private final ParamTree params;

    /** Wraps {@code model} with its parameters (kept, not copied). */
    public TextClassifierBlock(BertClassifier model, ParamTree params) {
        this.model = model;
        this.params = params;
    }

    @Override
    protected NDList forwardInternal(
            ParameterStore parameterStore,
            NDList inputs,
            boolean training,
            PairList<String, Object> options) {
        var ids = inputs.get(0);
        ForwardContext ctx = ForwardContext.eval(params, ids.getManager());
        return new NDList(model.logits(ctx, ids, inputs.get(1), inputs.get(2)));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), model.getConfig().numClasses())};
    }
}
