"""The demo school's facts: names, departments, rooms, kiosks, technicians, and the
faults a school's service desk hears about, with how each is usually fixed."""

FIRST = (
    "Amelia Olivia Isla Ava Mia Ivy Lily Isabella Rosie Sophia Grace Freya Willow Emily Ella "
    "Poppy Evie Charlotte Aisha Zara Maya Hannah Chloe Ruby Layla Noah Oliver George Arthur "
    "Leo Harry Oscar Archie Henry Theo Jack Charlie Jacob Freddie Alfie Thomas Mohammed "
    "Ibrahim Yusuf Adam Samuel Joshua Daniel Ethan Lucas Kai Reuben Tomasz Priya Amir Chidi "
    "Kofi Mei Sanjay Oluwaseun Niamh Ciaran Megan Rhys Siobhan Dylan Caitlin Bethan"
).split()
LAST = (
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson "
    "Thompson Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson "
    "Wood Turner Martin Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan "
    "Allen James Scott Phillips Watson Davis Parker Price Bennett Young Griffiths Mitchell "
    "Kelly Cook Carter Richardson Bailey Collins Bell Shaw Murphy Khan Begum Hussain Ali "
    "Ahmed Nowak Kowalski Okafor Mensah Chen Wong Singh Kaur O'Brien McDonald Campbell"
).split()
DEPARTMENTS = (
    "English",
    "Maths",
    "Science",
    "History",
    "Geography",
    "Languages",
    "Computing",
    "Art",
    "Music",
    "Drama",
    "PE",
    "Design and Technology",
    "RE",
    "Business",
    "Learning Support",
    "Office",
    "Site team",
    "Leadership",
    "Exams",
    "Library",
)

ROOMS = (
    [(f"S{i}", f"Science lab {i}", "Main") for i in range(1, 13)]
    + [(f"M{i}", f"Maths {i}", "Main") for i in range(1, 11)]
    + [(f"E{i}", f"English {i}", "Main") for i in range(1, 11)]
    + [(f"H{i}", f"Humanities {i}", "Main") for i in range(1, 9)]
    + [(f"L{i}", f"Languages {i}", "Main") for i in range(1, 7)]
    + [(f"IT{i}", f"Computer room {i}", "Main") for i in range(1, 5)]
    + [(f"DT{i}", f"Design and Technology {i}", "Main") for i in range(1, 4)]
    + [(f"ART{i}", f"Art studio {i}", "Main") for i in range(1, 4)]
    + [(f"MU{i}", f"Music room {i}", "Main") for i in range(1, 3)]
    + [(f"SF{i}", f"Sixth form classroom {i}", "Sixth Form") for i in range(1, 7)]
    + [
        ("DR1", "Drama studio", "Main"),
        ("HALL", "Main hall", "Main"),
        ("GYM", "Gym", "Main"),
        ("SH", "Sports hall", "Main"),
        ("LIB", "Library", "Main"),
        ("LRC", "Learning resource centre", "Sixth Form"),
        ("SFC", "Sixth form common room", "Sixth Form"),
        ("RECEP", "Reception", "Main"),
        ("STAFF", "Staff room", "Main"),
        ("SLT", "Leadership offices", "Main"),
        ("SEN", "Learning support base", "Main"),
        ("EXAMS", "Exams office", "Main"),
        ("CANT", "Canteen", "Main"),
        ("SERVER", "Server room", "Main"),
        ("ITO", "IT office", "Main"),
    ]
)
KIOSKS = (("library", "LIB"), ("sixth-form", "LRC"), ("reception", "RECEP"))
TECHNICIANS = (
    ("amorgan", "Alex Morgan", "technician,manager,committee"),
    ("bokafor", "Blessing Okafor", "technician,committee"),
    ("cwright", "Chris Wright", "technician"),
    ("dchen", "Dana Chen", "technician"),
)

# category: weight, summaries, resolutions (fix, workaround)
FAULTS = {
    "login": (
        20,
        (
            "Can't log in",
            "Password not working",
            "Account locked",
            "Says my password expired",
            "Can't log in to Google Classroom",
            "Logged in but desktop is blank",
            "Two-step code not arriving",
            "Can't get into Teams",
        ),
        ("Reset the password and unlocked the account", "Cleared the cached profile"),
        ("Gave a temporary password to use today",),
    ),
    "laptop": (
        18,
        (
            "Laptop won't charge",
            "Chromebook screen cracked",
            "Keys missing on keyboard",
            "Laptop very slow",
            "Laptop won't turn on",
            "Trackpad not working",
            "Chromebook stuck on update",
            "Laptop fan very loud",
            "Hinge broken",
        ),
        (
            "Replaced the power pack",
            "Replaced the screen",
            "Reimaged the laptop",
            "Replaced the keyboard",
        ),
        ("Lent a spare laptop while it is repaired",),
    ),
    "projector": (
        12,
        (
            "Projector won't turn on",
            "No picture on the board",
            "Board not responding to touch",
            "Projector picture is blue",
            "Sound not coming through speakers",
            "Board needs calibrating",
            "HDMI cable not working",
        ),
        ("Replaced the lamp", "Replaced the HDMI cable", "Recalibrated the board"),
        ("Use the portable screen until the part arrives",),
    ),
    "printer": (
        12,
        (
            "Printer jammed",
            "Printer out of toner",
            "Can't find the printer",
            "Printing blank pages",
            "Print jobs stuck in the queue",
            "Photocopier says call service",
        ),
        ("Cleared the jam and the queue", "Replaced the toner", "Re-added the print queue"),
        ("Print to the library printer for now",),
    ),
    "wifi": (
        10,
        (
            "No Wi-Fi in the room",
            "Wi-Fi keeps dropping",
            "Internet very slow",
            "Website blocked that we need",
            "Can't connect my phone to Wi-Fi",
        ),
        (
            "Restarted the access point",
            "Unblocked the site after checking it",
            "Replaced the access point",
        ),
        ("Use a wired connection for now",),
    ),
    "software": (
        10,
        (
            "Need software installed",
            "Program crashes on opening",
            "Licence expired message",
            "Can't save to my documents",
            "Update needed for exam software",
        ),
        ("Installed the software", "Repaired the installation", "Renewed the licence"),
        ("Use the web version until it is fixed",),
    ),
    "other": (
        6,
        (
            "Something's wrong with the computer",
            "Mouse not working",
            "Headphones not working",
            "Webcam not showing",
            "Strange noise from the computer",
        ),
        ("Replaced the mouse", "Replaced the headphones", "Fixed a loose cable"),
        ("Moved to another computer",),
    ),
    "desktop": (
        6,
        (
            "PC won't boot",
            "Monitor flickering",
            "Blue screen on startup",
            "No sound from PC",
        ),
        ("Replaced the monitor cable", "Reimaged the PC", "Replaced the power supply"),
        ("Use the PC next to it for now",),
    ),
    "email": (
        3,
        ("Can't send email", "Mailbox full", "Emails going to junk", "Shared mailbox missing"),
        ("Increased the mailbox size", "Fixed the mail rule", "Restored access"),
        ("Use webmail for now",),
    ),
    "mis": (
        1,
        ("Register won't save", "Can't see my class in the MIS", "Report won't print"),
        ("Fixed the class membership", "Cleared the MIS cache"),
        ("Take the register on paper",),
    ),
    "phone": (
        1,
        ("Phone has no dial tone", "Voicemail not working"),
        ("Replaced the handset", "Reset the voicemail PIN"),
        ("Forwarded calls to the office",),
    ),
    "network": (
        1,
        ("Whole room has no network", "File server very slow", "Shared drive missing"),
        ("Replaced the switch", "Restarted the file server", "Remapped the drive"),
        ("Map the drive by hand",),
    ),
}
FOLLOW_UPS = (
    "Checked it in the room, ordered a part.",
    "Spoke to the caller, will visit after lesson 3.",
    "Same fault as last month on this device.",
    "Waiting for the supplier to reply.",
    "Tested with another cable, same result.",
    "Caller says it happens most mornings.",
)
# (start, end) of each lesson and break, local time: when calls arrive.
DAY = (
    (7, 45),
    (8, 40),
    (9, 40),
    (10, 40),
    (11, 0),
    (12, 0),
    (13, 0),
    (13, 45),
    (14, 45),
    (15, 30),
    (17, 0),
)
