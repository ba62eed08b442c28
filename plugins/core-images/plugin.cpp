// The image-dataset plugin: DisLib datasets read from their published files, and the
// procedural dSprites-like stand-in.
#include "cars3d_data.hpp"
#include "dsprites_data.hpp"
#include "dsprites_like_data.hpp"
#include "mpi3d_data.hpp"
#include "shapes3d_data.hpp"
#include "smallnorb_data.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-images", "idlab core images", "idlab", "1.0.0",
                                "Image datasets of the DisLib experiment from their published files (dSprites, "
                                "Shapes3D, MPI3D, Cars3D, small NORB) and the procedural dSprites-like grid"}),
             idlab::images::Cars3dData, idlab::images::DspritesData, idlab::images::Shapes3dData,
             idlab::images::Mpi3dData, idlab::images::SmallnorbData, idlab::images::DspritesLikeData)
