/**
 * The vision tower: the Pixtral encoder (2D RoPE, block attention, GELU MLP) and the projector that turns
 * preprocessed pixels ({@code jmistral.image}) into image embeddings placed in the text model's prompt.
 */
package jmistral.model.vision;
