// The image-dataset plugin: DisLib datasets read from their published files, and the
// procedural dSprites-like stand-in.
#include "cars3d_data.hpp"
#include "dsprites_like_data.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-images", "idlab core images", "idlab", "1.0.0",
                                "Image datasets of the DisLib experiment: Cars3D from its published files, "
                                "and the procedural dSprites-like grid"}),
             idlab::images::Cars3dData, idlab::images::DspritesLikeData)
