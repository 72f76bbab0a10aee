#include "est/meeting_state.hpp"
