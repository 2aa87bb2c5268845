/**
 * Input images as pixels: decoding (PNG, JPEG, WebP, GIF, EXIF orientation), PDF pages rendered to images,
 * white-background flattening, bicubic resizing to the model's patch grid and normalization into the
 * pixel tensors the vision tower ({@code jmistral.model.vision}) reads. No model weights here.
 */
package jmistral.image;
